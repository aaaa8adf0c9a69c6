// The driver's reading of WhatsApp Web, one copy shared by every script the
// driver runs in the page (page.rs puts it in front of each). `hooks` is
// `selectors::to_json()`: every lookup goes through a hook's alternatives,
// and `used` records which alternative of each hook matched, for the logs.
// The captures test (sender/tests/captures/) runs these same functions on
// markup captured from the live site.
function waPage(hooks) {
  const used = {};
  const DIALOGS = '[role="dialog"], [data-animate-modal-popup="true"]';

  function find(name, root) {
    const list = hooks.css[name];
    for (let i = 0; i < list.length; i++) {
      const found = (root || document).querySelector(list[i]);
      if (found) { used[name] = i; return found; }
    }
    return null;
  }

  function all(name) {
    const list = hooks.css[name];
    for (let i = 0; i < list.length; i++) {
      const found = document.querySelectorAll(list[i]);
      if (found.length) { used[name] = i; return Array.from(found); }
    }
    return [];
  }

  // Whether `node` or something inside it matches `css`.
  function has(node, css) {
    return node.matches(css) || node.querySelector(css) !== null;
  }

  function isBlue(node) {
    const rgb = (getComputedStyle(node).color.match(/\d+/g) || []).map(Number);
    return rgb.length >= 3 && rgb[2] - rgb[0] > 80 && rgb[2] > rgb[1];
  }

  // The ticks of one message: the first alternative with a known value.
  function tickOf(message) {
    for (let i = 0; i < hooks.ticks.length; i++) {
      const alt = hooks.ticks[i];
      for (const node of message.querySelectorAll(alt.css)) {
        const raw = alt.source === 'text' ? node.textContent : node.getAttribute(alt.source);
        const status = alt.values[(raw || '').trim().toLowerCase()];
        if (!status) continue;
        used.ticks = i;
        if (status !== 'delivered-or-read') return status;
        // Delivered and read share the icon: read says so in its label, or is blue.
        const drawn = node.closest('svg') || node;
        const labelled = drawn.closest('[aria-label]');
        const label = labelled && message.contains(labelled) ? labelled.getAttribute('aria-label').trim().toLowerCase() : '';
        return label === 'read' || isBlue(drawn) ? 'read' : 'delivered';
      }
    }
    return null;
  }

  // The message rows of the open chat in page (= time) order; a bubble
  // inside a row that matches too counts once.
  function rows() {
    const list = all('message-row');
    return list.filter((node) => !list.some((other) => other !== node && other.contains(node)));
  }

  // WhatsApp's key of a message: the row's data-id (bare since 2026,
  // `true_…`/`false_…` before), else the suffix of its conv-msg- test id.
  function rowId(row) {
    const id = row.getAttribute(hooks.idAttribute) || (row.querySelector('[' + hooks.idAttribute + ']') || row).getAttribute(hooks.idAttribute);
    if (id) return id;
    const testid = row.getAttribute('data-testid') || '';
    return testid.startsWith(hooks.rowTestIdPrefix) ? testid.slice(hooks.rowTestIdPrefix.length) : null;
  }

  // Ours: a sign only our own messages carry (the outgoing alternatives:
  // the tail-out of a block's first message, the status label, the "You:"
  // label, the old true_ prefix), or a tick, which only ours have.
  function isOwn(row) {
    const list = hooks.css.outgoing;
    for (let i = 0; i < list.length; i++) {
      if (has(row, list[i])) { used.outgoing = i; return true; }
    }
    return tickOf(row) !== null;
  }

  // Theirs, positively: a row with none of these (a virtualised shell, a
  // date divider, a system notice) is neither ours nor a reply.
  function isIncoming(row) {
    return hooks.css.incoming.some((css) => has(row, css));
  }

  function textOf(row) {
    for (const css of hooks.messageText) {
      const found = row.querySelector(css);
      if (found) return found.textContent;
    }
    return null;
  }

  // WhatsApp's own record of a message of ours, where scripts reach its
  // modules in 2025–26 builds: window.require("WAWebCollections").Msg,
  // looked up by key id (m.id.id, with m.id.fromMe) as several scripts do.
  // Its `ack` is what the tick is drawn from (module WAWebMessageStatus),
  // numbered as whatsapp-web.js's Message.ack: 0 pending, 1 server,
  // 2 device, 3 read, 4 played (-1 error: no reading).
  function ackFromState(id) {
    try {
      if (!id || typeof window.require !== 'function') return null;
      const msgs = window.require('WAWebCollections').Msg;
      const model = msgs.get(id) || (typeof msgs.getModelsArray === 'function'
        ? msgs.getModelsArray().find((m) => m && m.id && m.id.fromMe && m.id.id === id) : null);
      const ack = model ? model.ack : null;
      if (typeof ack !== 'number' || ack < 0) return null;
      return ['pending', 'sent', 'delivered', 'read'][Math.min(ack, 3)];
    } catch (_) {
      return null;
    }
  }

  // The newest of our messages in the open chat: its ticks as the page
  // draws them, else (a drifted tick icon) as WhatsApp's state records
  // them; `source` says which answered.
  function lastOwn() {
    const list = rows();
    for (let i = list.length - 1; i >= 0; i--) {
      if (!isOwn(list[i])) continue;
      const id = rowId(list[i]);
      const drawn = tickOf(list[i]);
      if (drawn !== null) return { id, status: drawn, source: 'page' };
      const recorded = ackFromState(id);
      return { id, status: recorded, source: recorded === null ? null : 'state' };
    }
    return null;
  }

  // What the other side wrote after our newest message (all of it when we
  // never wrote), the newest `max`.
  function repliesAfterOurs(max) {
    let after = [];
    for (const row of rows()) {
      if (isOwn(row)) { after = []; continue; }
      if (!isIncoming(row)) continue;
      const found = textOf(row);
      const text = found === null ? row.textContent : found;
      after.push({ id: rowId(row) || 'text:' + text, text });
    }
    return after.slice(-max);
  }

  // Chat rows of the list with an unread counter (its test id, else an
  // English label like "2 unread messages"): their titles.
  function unreadTitles() {
    const re = new RegExp(hooks.unreadPattern, 'i');
    for (const css of hooks.chatRows) {
      const found = document.querySelectorAll(css);
      if (!found.length) continue;
      const out = [];
      for (const row of found) {
        const badge = row.querySelector(hooks.unreadBadge)
          || Array.from(row.querySelectorAll('[aria-label]')).find((n) => re.test(n.getAttribute('aria-label')));
        if (!badge) continue;
        const titled = row.querySelector(hooks.rowTitle);
        out.push(titled ? titled.getAttribute('title') : row.textContent);
      }
      return out;
    }
    return [];
  }

  // WhatsApp's own new-chat message cap (2026 builds), read where the
  // page keeps it: module WAWebIndividualNewChatMessageCappingLimitUtils,
  // getCappingData() = the record the server sent (capping_status,
  // used_quota, total_quota, cycle_end_timestamp in unix seconds; see
  // sender/tests/captures/README.md, (4)). As {status, used, total,
  // cycleEndsAt (ms, null when 0 or absent)}; null when the module, the
  // record or its numbers are missing. The status is passed on as spelled.
  function newChatQuota() {
    try {
      if (typeof window.require !== 'function') return null;
      const utils = window.require('WAWebIndividualNewChatMessageCappingLimitUtils');
      if (!utils || typeof utils.getCappingData !== 'function') return null;
      const data = utils.getCappingData();
      if (!data || typeof data !== 'object') return null;
      const used = Number(data.used_quota);
      const total = Number(data.total_quota);
      if (typeof data.capping_status !== 'string' || !Number.isFinite(used) || !Number.isFinite(total)) return null;
      const end = Number(data.cycle_end_timestamp);
      return {
        status: data.capping_status,
        used,
        total,
        cycleEndsAt: Number.isFinite(end) && end > 0 ? end * 1000 : null,
      };
    } catch (_) {
      return null;
    }
  }

  const lower = (node) => (node.innerText || node.textContent || '').replace(/\s+/g, ' ').trim().toLowerCase();

  // What WhatsApp shows when it restricts the number: the reach-out
  // timelock (new chats only; it replaces the compose bar, and a butter bar
  // may say so over the chat list) — test ids first, texts second — or the
  // older account-wide notice, a dialog.
  function restriction() {
    const bar = find('restriction');
    if (bar) return { kind: 'timelock', text: lower(bar) };
    for (const css of hooks.timelockPlaces) {
      for (const node of document.querySelectorAll(css)) {
        const text = lower(node);
        if (hooks.timelockTexts.some((t) => text.includes(t))) return { kind: 'timelock', text };
      }
    }
    for (const dialog of document.querySelectorAll(DIALOGS)) {
      const text = lower(dialog);
      if (hooks.restrictedTexts.some((t) => text.includes(t))) return { kind: 'account', text };
    }
    return null;
  }

  // "Show details" in the timelock bar opens WhatsApp's details dialog, the
  // one place that says when the timelock ends
  // (WAWebReachoutTimelockRestrictedModal.react). Whether it could.
  function openTimelockDetails() {
    const bar = find('restriction');
    const button = bar && bar.querySelector('button, [role="button"]');
    if (!button) return false;
    button.click();
    return true;
  }

  // The details dialog's countdown in seconds ("HH:MM:SS" up to a day,
  // else "N days": Clock.enforcementTimeLeftStr), closing the dialog; null
  // while it is not showing.
  function readTimelockDetails() {
    for (const dialog of document.querySelectorAll(DIALOGS)) {
      const text = lower(dialog);
      if (!hooks.timelockTexts.some((t) => text.includes(t))) continue;
      const clock = text.match(/(\d{1,2}):(\d{2}):(\d{2})/);
      const days = text.match(/(\d+)\s+days?/);
      const left = clock ? Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3])
        : days ? Number(days[1]) * 86400 : -1;
      for (const button of dialog.querySelectorAll('button, [role="button"]')) {
        if (hooks.dismissTexts.includes(lower(button))) { button.click(); break; }
      }
      return left;
    }
    return null;
  }

  // A dialog that covers the app without being part of what the driver
  // does ("What's new"): a dialog whose title says so (it has no test id
  // of its own). Popups the driver handles (invalid number, "Log out?")
  // and the restriction notice are not among them.
  function coveringDialog() {
    for (const dialog of document.querySelectorAll(DIALOGS)) {
      const text = lower(dialog);
      if (hooks.coveringTexts.some((t) => text.includes(t))) return dialog;
    }
    return null;
  }

  // Dismisses a covering dialog by its own button; what it clicked, or
  // null when none covers the app.
  function dismissCovering() {
    const dialog = coveringDialog();
    if (!dialog) return null;
    for (const css of hooks.dismissCss) {
      const button = dialog.querySelector(css);
      if (button) { button.click(); return css; }
    }
    for (const button of dialog.querySelectorAll('button, [role="button"]')) {
      const shown = lower(button);
      if (hooks.dismissTexts.includes(shown)) { button.click(); return shown; }
    }
    // WhatsApp's modals close on Escape.
    dialog.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', code: 'Escape', keyCode: 27, bubbles: true }));
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', code: 'Escape', keyCode: 27, bubbles: true }));
    return 'Escape';
  }

  // Whether the compose box holds text (a draft not yet sent).
  function composeHoldsText() {
    const box = find('compose');
    return box !== null && (box.innerText || box.textContent || '').trim() !== '';
  }

  // Which screen shows.
  function probe() {
    const lang = (document.documentElement.getAttribute('lang') || '').trim();
    if (lang && !lang.toLowerCase().startsWith(hooks.langPrefix)) return { screen: 'language', detail: lang };
    const qr = find('qr');
    const ref = qr && qr.getAttribute(hooks.qrAttribute);
    if (ref) return { screen: 'qr', detail: ref };
    const code = find('link-code');
    if (code) return { screen: 'linkcode', detail: code.getAttribute('data-link-code') || '' };
    if (find('phone-number-input')) return { screen: 'phoneentry' };
    for (const popup of all('popup')) {
      if (popup.textContent.includes(hooks.invalidNumber)) return { screen: 'invalid', detail: hooks.invalidNumber };
    }
    // The conversation panel exists only in the loaded app, with a chat open.
    const chat = find('chat');
    if (chat) return { screen: 'chat', fresh: !chat.__waSenderStale, last: lastOwn() };
    if (!find('chat-list')) {
      if (document.body && document.body.textContent.includes(hooks.unsupported)) {
        return { screen: 'unsupported', detail: document.body.textContent.trim().slice(0, 200) };
      }
      return { screen: 'loading' };
    }
    return { screen: 'main' };
  }

  // Which alternative of every hook (and of the ticks) the page matches:
  // for the probe and the captures test.
  function matchAll() {
    const found = {};
    for (const [name, list] of Object.entries(hooks.css)) {
      found[name] = list.findIndex((css) => document.querySelector(css) !== null);
    }
    found.ticks = -1;
    for (const row of rows().reverse()) {
      const before = used.ticks;
      delete used.ticks;
      if (tickOf(row) !== null) { found.ticks = used.ticks; break; }
      if (before !== undefined) used.ticks = before;
    }
    return found;
  }

  const covered = () => coveringDialog() !== null;

  return {
    used, find, all, covered, tickOf, rows, rowId, isOwn, lastOwn, repliesAfterOurs, unreadTitles, newChatQuota,
    restriction, openTimelockDetails, readTimelockDetails, coveringDialog, dismissCovering, composeHoldsText, probe, matchAll,
  };
}
