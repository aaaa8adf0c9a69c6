//! What the driver runs inside the WhatsApp Web page: one probe that says
//! which screen is showing, and waits that poll it in the page until a
//! condition holds. Waiting in the page costs one WebDriver round trip per
//! wait instead of one per poll, and reacts within a few milliseconds, so
//! sends are paced by WhatsApp, not by fixed sleeps.
//!
//! Every lookup goes through the alternatives of [`selectors`], in one
//! library of page functions (`page.js`) that every script here starts
//! with; each answer says which alternative of each hook matched, for the
//! session to log. Only the inbox reads message text out of the page.

use std::{collections::HashMap, fmt, time::Duration};

use fantoccini::Client;
use serde::{de::DeserializeOwned, Deserialize};
use serde_json::{json, Value};

use super::{selectors, DriverError, MessageStatus};

/// How often the page re-checks a condition.
const POLL_MS: u64 = 25;

/// The reading every script shares (`page.js`): hooks, rows, ticks,
/// replies, restrictions, covering dialogs, the screen.
macro_rules! with_library {
    ($script:literal) => {
        concat!(include_str!("page.js"), $script)
    };
}

const WAIT: &str = with_library!(
    r#"
const [hooks, until, timeoutMs, pollMs, done] = arguments;
const wa = waPage(hooks);
const deadline = Date.now() + timeoutMs;
const GONE = ['qr', 'linkcode', 'phoneentry', 'unsupported', 'language'];
function met(p) {
  switch (until.kind) {
    case 'now': return true;
    case 'login': return p.screen !== 'loading' && !(p.screen === until.notScreen && (p.detail || null) === until.notDetail);
    case 'loggedOut': return GONE.includes(p.screen);
    case 'chat': return GONE.includes(p.screen) || p.screen === 'invalid' || (p.screen === 'chat' && (p.fresh || !until.fresh));
    case 'hook': return (until.unless || GONE).includes(p.screen) || until.hooks.some((name) => wa.find(name) !== null);
    // The page took the message: a new row of ours (even with a clock), or
    // the compose box emptied.
    case 'taken': return GONE.includes(p.screen)
      || (p.screen === 'chat' && ((p.last !== null && p.last.id !== until.after) || !wa.composeHoldsText()));
    case 'sent': return GONE.includes(p.screen)
      || (p.screen === 'chat' && p.last !== null && p.last.id !== until.after && p.last.status !== null && p.last.status !== 'pending');
  }
  throw new Error('unknown condition ' + until.kind);
}
(function check() {
  const p = wa.probe();
  const ok = met(p);
  if (ok || Date.now() >= deadline) done({ met: ok, screen: p, used: wa.used });
  else setTimeout(check, pollMs);
})();
"#
);

/// Calls one function of the library (`page.js`) with `args`; its answer
/// and the alternatives it used.
const CALL: &str = with_library!(
    r#"
const [hooks, name, args] = arguments;
const wa = waPage(hooks);
return { value: wa[name](...args), used: wa.used };
"#
);

/// Opens a chat inside the running app, as browser extensions do: a click on
/// a `wa.me` link, which WhatsApp Web handles in place (no page load). The
/// open chat panel is marked (a JS property, invisible to the app) so the
/// wait can tell the new chat from the old one. A last listener on `window`
/// learns whether the app took the click; if not, it stops the browser from
/// following the link, and the driver falls back to the `/send` navigation.
const OPEN_IN_APP: &str = r#"
const [hooks, href] = arguments;
for (const css of hooks.css.chat) {
  const open = document.querySelector(css);
  if (open) { open.__waSenderStale = true; break; }
}
const link = document.createElement('a');
link.href = href;
link.target = '_blank';
link.rel = 'noopener noreferrer';
let reached = false;
let taken = false;
const last = (event) => { reached = true; taken = event.defaultPrevented; event.preventDefault(); };
window.addEventListener('click', last);
(document.getElementById('app') || document.body).append(link);
try { link.click(); } finally { link.remove(); window.removeEventListener('click', last); }
// An app that stops the click's propagation took it too.
return !reached || taken;
"#;

/// Types into a contenteditable as a person's input would: `insertText` goes
/// through the editor's own input handling (WhatsApp's editor ignores direct
/// DOM edits) and, unlike WebDriver key events, carries any Unicode, emoji
/// included; `insertLineBreak` makes a newline without sending. Whatever the
/// box held before (a draft) is replaced.
const INSERT_TEXT: &str = r#"
const [selector, text] = arguments;
const box = document.querySelector(selector);
if (!box) return false;
box.focus();
document.execCommand('selectAll', false);
document.execCommand('delete', false);
text.split('\n').forEach((line, i) => {
  if (i > 0) document.execCommand('insertLineBreak', false);
  if (line) document.execCommand('insertText', false, line);
});
return true;
"#;

/// Appends text to the focused box as input events, as typing would
/// (`insertText` keeps emoji intact; `insertLineBreak` for newlines).
const APPEND_TEXT: &str = r#"
const [selector, text] = arguments;
const box = document.querySelector(selector);
if (!box) return false;
if (document.activeElement !== box) box.focus();
text.split('\n').forEach((line, i) => {
  if (i > 0) document.execCommand('insertLineBreak', false);
  if (line) document.execCommand('insertText', false, line);
});
return true;
"#;

/// Clicks the first element showing one of `texts` (buttons, and elements
/// acting as buttons), for the few steps WhatsApp offers only as a text.
const CLICK_TEXT: &str = r#"
const [texts] = arguments;
for (const node of document.querySelectorAll('button, [role="button"], a, span')) {
  const shown = node.textContent.trim();
  if (texts.includes(shown)) { node.click(); return shown; }
}
return null;
"#;

/// Clicks the first button-like element showing one of `texts` inside an
/// element matching one of `containers` (a popup's own button, not a
/// heading or a button elsewhere with the same words).
const CLICK_TEXT_IN: &str = r#"
const [containers, texts] = arguments;
for (const css of containers) {
  for (const box of document.querySelectorAll(css)) {
    for (const node of box.querySelectorAll('button, [role="button"]')) {
      const shown = node.textContent.trim();
      if (texts.includes(shown)) { node.click(); return shown; }
    }
  }
}
return null;
"#;

/// The DOM's shape for a drift report: tags, ids, `data-*` and `aria-*`
/// attributes, nothing else. Free-text attributes keep only the known UI
/// labels; other values keep only short tokens without long digit runs, so
/// no message text, contact name, phone number or QR secret leaves the page.
const OUTLINE: &str = r#"
const [labels] = arguments;
const known = new Set(labels.map((l) => l.trim().toLowerCase()));
const TOKEN = /^[A-Za-z0-9_.:-]{1,48}$/;
const FREE_TEXT = ['aria-label', 'aria-description', 'aria-placeholder', 'aria-roledescription', 'aria-valuetext'];
const SECRET = ['data-ref', 'data-link-code'];
const token = (raw) => TOKEN.test(raw) && !/\d{5,}/.test(raw) ? raw : '…';
function value(name, raw) {
  if (FREE_TEXT.includes(name)) return known.has(raw.trim().toLowerCase()) ? raw : '…';
  if (SECRET.includes(name)) return '…';
  return token(raw);
}
const lines = [];
(function walk(node, depth) {
  if (lines.length >= 5000) return;
  let line = '  '.repeat(depth) + node.tagName.toLowerCase();
  if (node.id) line += '#' + token(node.id);
  for (const attr of node.attributes) {
    if (attr.name.startsWith('data-') || attr.name.startsWith('aria-')) line += `[${attr.name}="${value(attr.name, attr.value)}"]`;
  }
  lines.push(line);
  for (const child of node.children) walk(child, depth + 1);
})(document.documentElement, 0);
return lines.join('\n');
"#;

/// Hides every text, picture and canvas (layout and icons stay) for a
/// screenshot that shows no message, name or QR; `false` undoes it.
const REDACT: &str = r#"
const [on] = arguments;
const old = document.getElementById('__wa_sender_redact');
if (old) old.remove();
if (!on) return true;
const style = document.createElement('style');
style.id = '__wa_sender_redact';
style.textContent = '*:not(svg):not(svg *) { color: transparent !important; text-shadow: none !important; caret-color: transparent !important; }'
  + ' input, textarea { -webkit-text-fill-color: transparent !important; }'
  + ' img, canvas, video { visibility: hidden !important; }';
document.head.append(style);
return true;
"#;

/// The own number from WhatsApp's localStorage (`None` before a login).
const OWN_NUMBER: &str = r#"
const [keys] = arguments;
for (const key of keys) {
  const raw = localStorage.getItem(key);
  if (!raw) continue;
  try { return JSON.parse(raw); } catch (_) { return raw; }
}
return null;
"#;

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "screen", rename_all = "lowercase")]
pub enum Screen {
    Loading,
    Qr {
        detail: String,
    },
    /// "Link with phone number": the phone number form.
    PhoneEntry,
    /// "Link with phone number": the pairing code, characters comma-joined.
    LinkCode {
        detail: String,
    },
    /// The "phone number shared via url is invalid" popup.
    Invalid {
        detail: String,
    },
    /// WhatsApp's page for browsers it does not support.
    Unsupported {
        detail: String,
    },
    /// The UI is not in English (`<html lang>`); the texts would not match.
    Language {
        detail: String,
    },
    /// Logged in, no chat open.
    Main,
    /// A chat is open; `fresh` unless it is the one shown before the last
    /// in-app open.
    Chat {
        fresh: bool,
        last: Option<LastMessage>,
    },
}

impl Screen {
    /// The page library's name for it (`chat`, `qr`, `linkcode`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Screen::Loading => "loading",
            Screen::Qr { .. } => "qr",
            Screen::PhoneEntry => "phoneentry",
            Screen::LinkCode { .. } => "linkcode",
            Screen::Invalid { .. } => "invalid",
            Screen::Unsupported { .. } => "unsupported",
            Screen::Language { .. } => "language",
            Screen::Main => "main",
            Screen::Chat { .. } => "chat",
        }
    }
}

impl fmt::Display for Screen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Screen::Loading => "loading",
            Screen::Qr { .. } => "QR code",
            Screen::PhoneEntry => "phone number form",
            Screen::LinkCode { .. } => "pairing code",
            Screen::Invalid { .. } => "invalid number popup",
            Screen::Unsupported { .. } => "unsupported browser page",
            Screen::Language { .. } => "non-English page",
            Screen::Main => "chat list",
            Screen::Chat { .. } => "chat",
        })
    }
}

/// The newest of our messages in the open chat; `status` is `None` when
/// neither a tick alternative nor WhatsApp's own state knew it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LastMessage {
    pub id: String,
    pub status: Option<MessageStatus>,
    /// Where the status came from: `page` (the tick drawn) or `state`
    /// (WhatsApp's message model, when the tick icon drifted).
    #[serde(default)]
    pub source: Option<String>,
}

impl LastMessage {
    /// The status, saying in the log when WhatsApp's state had to answer
    /// for the page (the tick icon no longer matches a hook).
    pub fn status_noted(&self) -> Option<MessageStatus> {
        if self.source.as_deref() == Some("state") {
            tracing::warn!(status = ?self.status, "ticks read from WhatsApp's own state: no tick alternative matches the page");
        }
        self.status
    }
}

/// What to wait for.
pub enum Until<'a> {
    /// Nothing: report the screen at once.
    Now,
    /// Past loading, and not `screen` with `detail` (the state seen last).
    Login { not_screen: &'a str, not_detail: Option<&'a str> },
    /// A login screen again (QR, phone form, pairing code) or a refusal.
    LoggedOut,
    /// A chat (one opened since the last in-app open when `fresh`), or a
    /// screen that means it will not open.
    Chat { fresh: bool },
    /// Any alternative of any of the hooks named so, or (when `unless` is
    /// given) one of those screens instead of the default "logged out" ones.
    Hook { hooks: &'a [&'static str], unless: Option<&'a [&'a str]> },
    /// After a send was pressed: a message of ours newer than `after` (a
    /// clock will do), or the compose box emptied.
    Taken { after: Option<&'a str> },
    /// A message newer than `after` with at least one tick.
    Sent { after: Option<&'a str> },
}

impl Until<'_> {
    fn to_json(&self) -> Value {
        match self {
            Until::Now => json!({ "kind": "now" }),
            Until::Login { not_screen, not_detail } => {
                json!({ "kind": "login", "notScreen": not_screen, "notDetail": not_detail })
            }
            Until::LoggedOut => json!({ "kind": "loggedOut" }),
            Until::Chat { fresh } => json!({ "kind": "chat", "fresh": fresh }),
            Until::Hook { hooks, unless } => json!({ "kind": "hook", "hooks": hooks, "unless": unless }),
            Until::Taken { after } => json!({ "kind": "taken", "after": after }),
            Until::Sent { after } => json!({ "kind": "sent", "after": after }),
        }
    }
}

/// What a wait saw: whether the condition held, the screen, and which
/// alternative of each hook it looked at matched (hook → index).
#[derive(Debug, Deserialize)]
pub struct Waited {
    pub met: bool,
    pub screen: Screen,
    #[serde(default)]
    pub used: HashMap<String, usize>,
}

/// Waits in the page until `until` holds or `timeout` passes.
pub async fn wait(client: &Client, until: Until<'_>, timeout: Duration) -> Result<Waited, DriverError> {
    let args = vec![selectors::to_json(), until.to_json(), json!(timeout.as_millis() as u64), json!(POLL_MS)];
    let value = client.execute_async(WAIT, args).await?;
    serde_json::from_value(value.clone())
        .map_err(|err| DriverError::UnexpectedPage(format!("probe answered {value}: {err}")))
}

/// What a library function answered, and which alternative of each hook
/// it used (hook → index).
#[derive(Debug, Deserialize)]
pub struct Called<T> {
    pub value: T,
    #[serde(default)]
    pub used: HashMap<String, usize>,
}

/// Calls the library function `function` (see `page.js`) with `args`.
pub async fn call<T: DeserializeOwned>(client: &Client, function: &str, args: Value) -> Result<Called<T>, DriverError> {
    let value = client.execute(CALL, vec![selectors::to_json(), json!(function), args]).await?;
    serde_json::from_value(value.clone())
        .map_err(|err| DriverError::UnexpectedPage(format!("{function} answered {value}: {err}")))
}

/// Clicks an injected `href` link inside the app; whether the app took it.
pub async fn open_in_app(client: &Client, href: &str) -> Result<bool, DriverError> {
    Ok(client.execute(OPEN_IN_APP, vec![selectors::to_json(), json!(href)]).await? == Value::Bool(true))
}

/// Fills the contenteditable at `selector` with `text`.
pub async fn insert_text(client: &Client, selector: &str, text: &str) -> Result<(), DriverError> {
    let text = text.replace("\r\n", "\n");
    match client.execute(INSERT_TEXT, vec![json!(selector), json!(text)]).await? {
        Value::Bool(true) => Ok(()),
        _ => Err(DriverError::UnexpectedPage(format!("no element {selector} to type into"))),
    }
}

/// Types `text` into the box at `selector` over about `typing`: a few
/// bursts of input events with pauses between them, so WhatsApp shows
/// "typing…" to the recipient for that long. Zero: all at once.
pub async fn type_text(
    client: &Client,
    selector: &str,
    text: &str,
    typing: std::time::Duration,
) -> Result<(), DriverError> {
    let text = text.replace("\r\n", "\n");
    let chars: Vec<char> = text.chars().collect();
    let bursts = chars.len().clamp(1, 8);
    if typing.is_zero() || bursts == 1 {
        tokio::time::sleep(typing).await;
        return insert_text(client, selector, &text).await;
    }
    insert_text(client, selector, "").await?;
    let per_burst = typing / bursts as u32;
    for (i, burst) in chars.chunks(chars.len().div_ceil(bursts)).enumerate() {
        if i > 0 {
            tokio::time::sleep(per_burst).await;
        }
        let burst: String = burst.iter().collect();
        match client.execute(APPEND_TEXT, vec![json!(selector), json!(burst)]).await? {
            Value::Bool(true) => {}
            _ => return Err(DriverError::UnexpectedPage(format!("no element {selector} to type into"))),
        }
    }
    // The last burst, then a beat before the send button is pressed.
    tokio::time::sleep(per_burst).await;
    Ok(())
}

/// Clicks the first button-like element showing one of `texts`; which one.
pub async fn click_text(client: &Client, texts: &[&str]) -> Result<Option<String>, DriverError> {
    Ok(client.execute(CLICK_TEXT, vec![json!(texts)]).await?.as_str().map(str::to_owned))
}

/// [`click_text`] limited to the elements matching `containers`.
pub async fn click_text_in(
    client: &Client,
    containers: &[&str],
    texts: &[&str],
) -> Result<Option<String>, DriverError> {
    Ok(client.execute(CLICK_TEXT_IN, vec![json!(containers), json!(texts)]).await?.as_str().map(str::to_owned))
}

/// The page's outline for a drift report (see [`OUTLINE`]).
pub async fn outline(client: &Client) -> Result<String, DriverError> {
    let value = client.execute(OUTLINE, vec![json!(selectors::known_labels())]).await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

/// A screenshot with every text and picture hidden.
pub async fn redacted_screenshot(client: &Client) -> Result<Vec<u8>, DriverError> {
    client.execute(REDACT, vec![json!(true)]).await?;
    let shot = client.screenshot().await;
    client.execute(REDACT, vec![json!(false)]).await?;
    Ok(shot?)
}

/// WhatsApp's own record of the logged-in number (`"<digits>:<device>@c.us"`).
pub async fn own_number_raw(client: &Client) -> Result<Option<String>, DriverError> {
    let value = client.execute(OWN_NUMBER, vec![json!(selectors::OWN_NUMBER_KEYS)]).await?;
    Ok(value.as_str().map(str::to_owned))
}
