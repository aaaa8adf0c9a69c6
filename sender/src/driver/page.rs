//! What the driver runs inside the WhatsApp Web page: one probe that says
//! which screen is showing, and waits that poll it in the page until a
//! condition holds. Waiting in the page costs one WebDriver round trip per
//! wait instead of one per poll, and reacts within a few milliseconds, so
//! sends are paced by WhatsApp, not by fixed sleeps.

use std::{fmt, time::Duration};

use fantoccini::Client;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{selectors as hook, DriverError};

/// How often the page re-checks a condition.
const POLL_MS: u64 = 25;

const WAIT: &str = r#"
const [hooks, until, timeoutMs, pollMs, done] = arguments;
const deadline = Date.now() + timeoutMs;
function probe() {
  const qr = document.querySelector(hooks.qr);
  const ref = qr && qr.getAttribute(hooks.qrAttribute);
  if (ref) return { screen: 'qr', detail: ref };
  for (const popup of document.querySelectorAll(hooks.popup)) {
    if (popup.textContent.includes(hooks.invalidNumber)) return { screen: 'invalid', detail: hooks.invalidNumber };
  }
  if (!document.querySelector(hooks.chatList)) {
    if (document.body && document.body.textContent.includes(hooks.unsupported)) {
      return { screen: 'unsupported', detail: document.body.textContent.trim().slice(0, 200) };
    }
    return { screen: 'loading' };
  }
  if (!document.querySelector(hooks.chat)) return { screen: 'main' };
  const mine = document.querySelectorAll(hooks.outgoing);
  const last = mine[mine.length - 1];
  return {
    screen: 'chat',
    ready: document.querySelector(hooks.sendButton) !== null,
    last: last ? {
      id: last.getAttribute(hooks.idAttribute),
      status: last.querySelector(hooks.delivered) ? 'delivered' : last.querySelector(hooks.sent) ? 'sent' : 'pending',
    } : null,
  };
}
function met(p) {
  switch (until.kind) {
    case 'now': return true;
    case 'login': return p.screen !== 'loading' && !(p.screen === 'qr' && p.detail === until.notQr);
    case 'chat': return ['qr', 'invalid', 'unsupported'].includes(p.screen) || (p.screen === 'chat' && (p.ready || !until.ready));
    case 'element': return ['qr', 'unsupported'].includes(p.screen) || document.querySelector(until.selector) !== null;
    case 'sent': return ['qr', 'unsupported'].includes(p.screen)
      || (p.screen === 'chat' && p.last !== null && p.last.id !== until.after && p.last.status !== 'pending');
  }
  throw new Error('unknown condition ' + until.kind);
}
(function check() {
  const p = probe();
  const ok = met(p);
  if (ok || Date.now() >= deadline) done({ met: ok, screen: p });
  else setTimeout(check, pollMs);
})();
"#;

/// Types into a contenteditable the way a paste would: `insertText` goes
/// through the editor's own input handling (WhatsApp's editor ignores
/// direct DOM edits), and unlike WebDriver key events it carries any
/// Unicode, emoji included.
const INSERT_TEXT: &str = r#"
const [selector, text] = arguments;
const box = document.querySelector(selector);
if (!box) return false;
box.focus();
document.execCommand('insertText', false, text);
return true;
"#;

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "screen", rename_all = "lowercase")]
pub enum Screen {
    Loading,
    Qr {
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
    /// Logged in, no chat open.
    Main,
    /// A chat is open; `ready` when its send button shows.
    Chat {
        ready: bool,
        last: Option<LastMessage>,
    },
}

impl fmt::Display for Screen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Screen::Loading => "loading",
            Screen::Qr { .. } => "QR code",
            Screen::Invalid { .. } => "invalid number popup",
            Screen::Unsupported { .. } => "unsupported browser page",
            Screen::Main => "chat list",
            Screen::Chat { .. } => "chat",
        })
    }
}

/// The newest of our messages in the open chat.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LastMessage {
    pub id: String,
    pub status: super::MessageStatus,
}

/// What to wait for.
pub enum Until<'a> {
    /// Nothing: report the screen at once.
    Now,
    /// Past loading, and not the QR `not_qr`.
    Login { not_qr: Option<&'a str> },
    /// A chat (with its send button when `ready`), or a screen that means it
    /// will not open.
    Chat { ready: bool },
    /// An element matching this selector.
    Element(&'a str),
    /// A message newer than `after` with at least one tick.
    Sent { after: Option<&'a str> },
}

impl Until<'_> {
    fn to_json(&self) -> Value {
        match self {
            Until::Now => json!({ "kind": "now" }),
            Until::Login { not_qr } => json!({ "kind": "login", "notQr": not_qr }),
            Until::Chat { ready } => json!({ "kind": "chat", "ready": ready }),
            Until::Element(selector) => json!({ "kind": "element", "selector": selector }),
            Until::Sent { after } => json!({ "kind": "sent", "after": after }),
        }
    }
}

#[derive(Deserialize)]
struct Waited {
    met: bool,
    screen: Screen,
}

fn hooks() -> Value {
    json!({
        "qr": hook::QR_CONTAINER,
        "qrAttribute": hook::QR_ATTRIBUTE,
        "popup": hook::POPUP,
        "invalidNumber": hook::INVALID_NUMBER_TEXT,
        "chatList": hook::CHAT_LIST,
        "unsupported": hook::UNSUPPORTED_BROWSER_TEXT,
        "chat": hook::CHAT,
        "sendButton": hook::SEND_BUTTON,
        "outgoing": hook::OUTGOING_MESSAGE,
        "idAttribute": hook::MESSAGE_ID_ATTRIBUTE,
        "sent": hook::TICK_SENT,
        "delivered": hook::TICK_DELIVERED,
    })
}

/// Waits in the page until `until` holds or `timeout` passes; returns
/// whether it held and the screen at that moment.
pub async fn wait(client: &Client, until: Until<'_>, timeout: Duration) -> Result<(bool, Screen), DriverError> {
    let args = vec![hooks(), until.to_json(), json!(timeout.as_millis() as u64), json!(POLL_MS)];
    let value = client.execute_async(WAIT, args).await?;
    let waited: Waited = serde_json::from_value(value.clone())
        .map_err(|err| DriverError::UnexpectedPage(format!("probe answered {value}: {err}")))?;
    Ok((waited.met, waited.screen))
}

/// The screen showing now.
pub async fn screen(client: &Client) -> Result<Screen, DriverError> {
    Ok(wait(client, Until::Now, Duration::ZERO).await?.1)
}

/// Fills the contenteditable at `selector` with `text`.
pub async fn insert_text(client: &Client, selector: &str, text: &str) -> Result<(), DriverError> {
    match client.execute(INSERT_TEXT, vec![json!(selector), json!(text)]).await? {
        Value::Bool(true) => Ok(()),
        _ => Err(DriverError::UnexpectedPage(format!("no element {selector} to type into"))),
    }
}
