//! Every DOM hook and text the driver relies on in WhatsApp Web, in one
//! place, each as a list of alternatives tried in order: the current markup
//! first, then older ones. WhatsApp changes its markup without notice; the
//! evidence for each entry is `docs/whatsapp-web-evidence.md`. After a WhatsApp
//! release, `sender probe` shows which hook no alternative matches any more;
//! the fix is a new alternative at the front of that hook's list here, and
//! the same markup in the simulator (`infra/wa-simulator/src/page.html`).
//!
//! WhatsApp's class names are minified and change with every release, so
//! none is used here: only ids, `data-*` attributes, ARIA attributes, SVG
//! titles and user-visible texts. The texts are English: the browser is
//! started with `--lang=en-US`, and the driver refuses a page whose
//! `<html lang>` is not English ([`UI_LANGUAGE_PREFIX`]).

use serde::Serialize;
use serde_json::{json, Map, Value};

/// One way of finding a hook: a CSS selector.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Alternative {
    /// Which markup it is from, for logs and the probe.
    pub label: &'static str,
    pub css: &'static str,
}

const fn alt(label: &'static str, css: &'static str) -> Alternative {
    Alternative { label, css }
}

/// A DOM hook: a name (what a drift report says) and its alternatives.
#[derive(Debug, Clone, Copy)]
pub struct Hook {
    pub name: &'static str,
    /// What it is, for people reading a drift report.
    pub purpose: &'static str,
    pub alternatives: &'static [Alternative],
}

/// The QR login: the element holding, in its `data-ref` attribute, the
/// pairing string WhatsApp encodes in the QR (the `<canvas>` is drawn from
/// it). WhatsApp replaces the attribute in place about every 20 seconds.
pub const QR: Hook = Hook {
    name: "qr",
    purpose: "the QR code's container (data-ref)",
    alternatives: &[
        alt("current: data-testid", r#"div[data-testid="link-device-qr-code"][data-ref]"#),
        alt("legacy: data-ref", "div[data-ref]"),
    ],
};

/// The attribute of [`QR`] that holds the QR string.
pub const QR_ATTRIBUTE: &str = "data-ref";

/// The chat list of the logged-in screen; its presence means "logged in and
/// loaded".
pub const CHAT_LIST: Hook = Hook {
    name: "chat-list",
    purpose: "the chat list of the logged-in screen",
    alternatives: &[alt("id", "#pane-side"), alt("search box", r#"[aria-label="Search or start a new chat"]"#)],
};

/// The conversation panel; it exists only while a chat is open.
pub const CHAT: Hook =
    Hook { name: "chat", purpose: "the open conversation panel", alternatives: &[alt("id", "#main")] };

/// The compose box of the open chat (a contenteditable editor).
pub const COMPOSE: Hook = Hook {
    name: "compose",
    purpose: "the message box of the open chat",
    alternatives: &[
        alt("current: role textbox", r#"#main footer div[contenteditable="true"][role="textbox"]"#),
        alt("legacy: data-tab", r#"#main footer div[contenteditable="true"][data-tab="10"]"#),
    ],
};

/// The send button of the compose box. WhatsApp shows it only when the box
/// holds text (a microphone otherwise).
pub const SEND: Hook = Hook {
    name: "send",
    purpose: "the send button of the message box",
    alternatives: &[
        alt("current: aria-label", r#"#main footer button[aria-label="Send"]"#),
        alt("current: WDS icon", r#"#main footer span[data-icon="wds-ic-send-filled"]"#),
        alt("legacy: data-icon", r#"#main footer span[data-icon="send"]"#),
    ],
};

/// The plus button that opens the attach menu.
pub const ATTACH: Hook = Hook {
    name: "attach",
    purpose: "the attach (plus) button",
    alternatives: &[
        alt("current: aria-label", r#"#main footer button[aria-label="Attach"]"#),
        alt("current: WDS icon", r#"#main footer span[data-icon="wds-ic-plus"]"#),
        alt("current: WDS icon filled", r#"#main footer span[data-icon="wds-ic-plus-filled"]"#),
        alt("legacy: data-icon", r#"#main footer span[data-icon="plus"]"#),
        alt("legacy: data-icon rounded", r#"#main footer span[data-icon="plus-rounded"]"#),
    ],
};

/// The hidden file input of the attach menu's "Photos & videos" item. What it
/// accepts decides how WhatsApp sends the file (compressed, with a preview).
pub const MEDIA_INPUT: Hook = Hook {
    name: "media-input",
    purpose: "the file input of \"Photos & videos\"",
    alternatives: &[alt("accept image/*", r#"input[type="file"][accept^="image/*"]"#)],
};

/// The hidden file input of the attach menu's "Document" item (any file,
/// sent as-is).
pub const DOCUMENT_INPUT: Hook = Hook {
    name: "document-input",
    purpose: "the file input of \"Document\"",
    alternatives: &[alt("accept *", r#"input[type="file"][accept="*"]"#)],
};

/// The caption box of the media preview that opens after a file is chosen.
pub const CAPTION: Hook = Hook {
    name: "caption",
    purpose: "the caption box of the media preview",
    alternatives: &[
        alt("current: data-testid", r#"[data-testid="media-caption-input-container"] [contenteditable="true"]"#),
        alt("aria-label (English)", r#"div[contenteditable="true"][aria-label="Add a caption"]"#),
    ],
};

/// The send button of the media preview (a `div[role=button]`, unlike the
/// compose box's `<button>`); a prefix, since several files read "Send N
/// selected".
pub const MEDIA_SEND: Hook = Hook {
    name: "media-send",
    purpose: "the send button of the media preview",
    alternatives: &[
        alt("aria-label prefix", r#"div[role="button"][aria-label^="Send"]"#),
        alt("current: WDS icon", r#"div[role="button"] span[data-icon="wds-ic-send-filled"]"#),
        alt("legacy: data-icon", r#"div[role="button"] span[data-icon="send"]"#),
    ],
};

/// A message row of the open chat, ours or theirs, in time order. Since
/// 2026 WhatsApp's `WAWebMessageWrapper` writes the row as `data-id="<bare
/// key id>"` with `data-testid="conv-msg-<id>"`; builds up to about Dec
/// 2025 prefixed the id with `true_`/`false_` (captures 01–07, 16).
pub const MESSAGE_ROW: Hook = Hook {
    name: "message-row",
    purpose: "the message rows of the open chat (data-testid conv-msg-…, data-id)",
    alternatives: &[
        alt("2026: data-testid conv-msg-", r#"#main [data-testid^="conv-msg-"]"#),
        alt("2025: data-id true_/false_", r#"#main [data-id^="true_"], #main [data-id^="false_"]"#),
        alt("any data-id", "#main [data-id]"),
    ],
};

/// The test id prefix of a 2026 row; the rest is the message's key id.
pub const ROW_TEST_ID_PREFIX: &str = "conv-msg-";

/// What marks a [`MESSAGE_ROW`] as one of ours (tried on the row and inside
/// it). Since 2026 direction shows only in the bubble: the tail of a
/// block's first message, the status label of the tick, the localised
/// sender label; a row with none of them is still ours when the tick
/// reader recognises a tick ([`TICKS`]), which only our messages carry.
pub const OUTGOING: Hook = Hook {
    name: "outgoing",
    purpose: "a sign that a message row is ours (tail-out, status label, \"You:\", true_ id, tick icon)",
    alternatives: &[
        alt("2026: tail-out", r#"#main [data-icon="tail-out"]"#),
        alt(
            "2026: status aria-label",
            r#"#main [aria-label=" Pending "], #main [aria-label=" Sent "], #main [aria-label=" Delivered "], #main [aria-label=" Read "]"#,
        ),
        alt(
            "2026: own sender label",
            r#"#main [aria-label="You:"], #main [aria-label="Tú:"], #main [aria-label="Você:"], #main [aria-label="Tu:"]"#,
        ),
        alt("2025: data-id true_", r#"#main [data-id^="true_"]"#),
        alt(
            "legacy: data-icon tick",
            r#"#main [data-icon="msg-time"], #main [data-icon="msg-check"], #main [data-icon="msg-dblcheck"]"#,
        ),
    ],
};

/// What marks a row without a sign of ours as a message someone wrote (not
/// a virtualised empty shell, a date divider or a system notice).
pub const INCOMING: Hook = Hook {
    name: "incoming",
    purpose: "a sign that a message row is theirs (tail-in, bubble, pre-plain-text, false_ id)",
    alternatives: &[
        alt("2026: tail-in", r#"#main [data-icon="tail-in"]"#),
        alt("2026: bubble", r#"#main [data-testid="msg-container"]"#),
        alt("pre-plain-text", "#main [data-pre-plain-text]"),
        alt("2025: data-id false_", r#"#main [data-id^="false_"]"#),
    ],
};

/// The attribute of [`MESSAGE_ROW`] holding the message id.
pub const MESSAGE_ID_ATTRIBUTE: &str = "data-id";

/// WhatsApp's reach-out timelock (2026): after too many messages to new
/// contacts, chats with people who never wrote show this bar instead of the
/// compose box (`WAWebReachoutTimelockRestrictedComposeBar.react`, capture
/// 14); a butter bar may say the same (`WAWebReachoutTimelockButterBar`,
/// test id from the module; no capture of it yet). Existing chats keep
/// working. Neither shows the end time: only the "Show details" modal
/// counts it down.
pub const RESTRICTION: Hook = Hook {
    name: "restriction",
    purpose: "the reach-out timelock bar (new chats are restricted)",
    alternatives: &[
        alt("2026: timelock compose bar", r#"[data-testid="reachout-timelock-compose-bar"]"#),
        alt("2026: timelock butter bar", r#"[data-testid="reachout-timelock-butterbar"]"#),
    ],
};

/// Where the timelock's text may show when its test ids are gone, and the
/// words that say it (English UI, lower case).
pub const TIMELOCK_PLACES: &[&str] = &["#main footer"];
pub const TIMELOCK_TEXTS: &[&str] = &[
    "account on linked devices is restricted",
    "whatsapp web is restricted",
    "can't start new chats",
    "can\u{2019}t start new chats",
];

/// The older account-wide notice (a dialog) that the account may not send
/// at all (lower case).
pub const RESTRICTED_TEXTS: &[&str] =
    &["account is restricted", "account has been restricted", "not allowed to use whatsapp", "account is banned"];

/// A dialog that covers the app and intercepts clicks without being part
/// of any step: "What's new on WhatsApp Web" after a scan (Sep 2026,
/// capture 15). It has no test id of its own (it is WhatsApp's generic
/// `confirm-popup`), so it is recognised by its title (lower case), and
/// dismissed by the first of its buttons found by these selectors, else by
/// these texts, else by Escape.
pub const COVERING_TEXTS: &[&str] = &["what's new", "what\u{2019}s new", "on linked devices is restricted right now"];
pub const DISMISS_CSS: &[&str] = &[r#"[aria-label="Close"]"#, r#"[data-testid="popup-controls-ok"]"#];
pub const DISMISS_TEXTS: &[&str] = &["ok", "got it", "continue", "close", "not now"];

/// WhatsApp's modal popups (errors of the send link among them).
pub const POPUP: Hook = Hook {
    name: "popup",
    purpose: "modal popups",
    alternatives: &[
        alt("data-animate-modal-popup", r#"div[data-animate-modal-popup="true"]"#),
        alt("role dialog", r#"div[role="dialog"]"#),
    ],
};

/// The button that dismisses a popup ("OK"), inside [`POPUP`].
pub const POPUP_BUTTON: &str = "button";

/// The chat list header's menu button (⋮), which holds "Log out". The open
/// chat's header has a "Menu" button too, hence `:not(#main *)`. Evidence:
/// `docs/whatsapp-web-logout.md`.
pub const MENU: Hook = Hook {
    name: "menu",
    purpose: "the chat list's menu button (⋮) that holds \"Log out\"",
    alternatives: &[
        alt("current: aria-label", r#"button[aria-label="Menu"]:not(#main *)"#),
        alt("role button, title", r#"[role="button"][title="Menu"]:not(#main *)"#),
        alt("legacy: data-icon", r#"span[data-icon="menu"]:not(#main *)"#),
        alt("legacy: data-testid", r#"[data-testid="menu"]:not(#main *)"#),
    ],
};

/// "Log out" in the chat list's menu.
pub const LOG_OUT: Hook = Hook {
    name: "log-out",
    purpose: "\"Log out\" in the chat list's menu",
    alternatives: &[
        alt("current: menuitem aria-label", r#"[role="menuitem"][aria-label="Log out"]"#),
        alt("legacy: data-testid", r#"[data-testid="mi-logout"]"#),
        alt("legacy: role button aria-label", r#"[role="button"][aria-label="Log out"]"#),
    ],
};

/// The confirmation ("Log out?") is a [`POPUP`]; its button is found by
/// this text first (current builds drop most `data-testid`s), then by
/// [`LOG_OUT_CONFIRM`].
pub const LOG_OUT_CONFIRM_TEXTS: &[&str] = &["Log out"];

pub const LOG_OUT_CONFIRM: Hook = Hook {
    name: "log-out-confirm",
    purpose: "the \"Log out\" button of the \"Log out?\" confirmation",
    alternatives: &[
        alt("popup-controls-ok", r#"div[data-animate-modal-popup="true"] [data-testid="popup-controls-ok"]"#),
        alt("dialog, popup-controls-ok", r#"div[role="dialog"] [data-testid="popup-controls-ok"]"#),
    ],
};

/// "Link with phone number": the phone input, and the pairing code shown
/// after "Next" (its characters comma-joined in `data-link-code`).
pub const PHONE_NUMBER_INPUT: Hook = Hook {
    name: "phone-number-input",
    purpose: "the phone number input of \"Link with phone number\"",
    alternatives: &[alt("aria-label (English)", r#"input[aria-label="Type your phone number."]"#)],
};

pub const LINK_CODE: Hook = Hook {
    name: "link-code",
    purpose: "the pairing code of \"Link with phone number\" (data-link-code)",
    alternatives: &[
        alt("current: data-testid", r#"[data-testid="link-with-phone-number-code-cells"][data-link-code]"#),
        alt("aria-details", r#"div[aria-details="link-device-phone-number-code-screen-instructions"][data-link-code]"#),
    ],
};

/// The attribute of [`LINK_CODE`] holding the code's characters.
pub const LINK_CODE_ATTRIBUTE: &str = "data-link-code";

/// The login screen's way to "Link with phone number" (renamed "Log in with
/// phone number" in newer builds), and the button after the number.
pub const LINK_WITH_PHONE_TEXTS: &[&str] = &["Log in with phone number", "Link with phone number"];
pub const NEXT_TEXT: &str = "Next";

/// The ticks of a message, read from inside an [`OUTGOING`] element. Each
/// alternative names elements and where their value is; the first
/// alternative with a known value decides. `delivered-or-read` is refined
/// in the page: read when the status `aria-label` says so or the icon is
/// drawn in blue (WhatsApp's only difference between the two).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TickAlternative {
    pub label: &'static str,
    pub css: &'static str,
    /// `text` (the element's text) or the name of an attribute.
    pub source: &'static str,
    /// Value (trimmed, lower case) → `pending`, `sent`, `delivered`, `read`
    /// or `delivered-or-read`.
    pub values: &'static [(&'static str, &'static str)],
}

pub const TICKS_NAME: &str = "ticks";

pub const TICKS: &[TickAlternative] = &[
    TickAlternative {
        label: "current: WDS icon title",
        css: "svg > title",
        source: "text",
        values: &[
            ("wds-ic-status-pending", "pending"),
            ("wds-ic-delivered", "sent"),
            ("wds-ic-read", "delivered-or-read"),
        ],
    },
    TickAlternative {
        label: "status aria-label",
        css: "[aria-label]",
        source: "aria-label",
        values: &[("pending", "pending"), ("sent", "sent"), ("delivered", "delivered"), ("read", "read")],
    },
    TickAlternative {
        label: "legacy: data-icon",
        css: "[data-icon]",
        source: "data-icon",
        values: &[("msg-time", "pending"), ("msg-check", "sent"), ("msg-dblcheck", "delivered-or-read")],
    },
];

/// What the popup says when the link's number has no WhatsApp account.
pub const INVALID_NUMBER_TEXT: &str = "Phone number shared via url is invalid";

/// What WhatsApp shows instead of the app to a browser it does not support
/// (it checks the user agent; headless Chromium announces itself there).
pub const UNSUPPORTED_BROWSER_TEXT: &str = "WhatsApp works with Google Chrome";

/// The texts above are English; `<html lang>` must start with this.
pub const UI_LANGUAGE_PREFIX: &str = "en";

/// Where WhatsApp keeps the own number in localStorage, newest first:
/// `"<digits>:<device>@c.us"` (a JSON string), then `"<digits>@c.us"`.
pub const OWN_NUMBER_KEYS: &[&str] = &["last-wid-md", "last-wid"];

/// The full-reload deep link that opens a chat (the fallback when the
/// in-app link does not open it): `/send?phone=<E.164 digits>`.
pub const SEND_PATH: &str = "/send";

/// The link clicked inside the app to open a chat without a page load.
pub const IN_APP_LINK_BASE: &str = "https://wa.me/";

/// Replies (`driver::inbox`). Not in [`ALL`]: a page with no unread chat
/// and no reply shows none of them, which is no drift.
///
/// A chat row of the chat list (current: grid rows; legacy: list items).
pub const CHAT_ROWS: &[&str] = &[r#"#pane-side [role="row"]"#, r#"#pane-side [role="listitem"]"#];
/// Inside a row, the unread counter: its test id (any UI language, capture
/// 11), else an aria-label like "2 unread messages".
pub const UNREAD_BADGE: &str = r#"[data-testid="icon-unread-count"]"#;
pub const UNREAD_LABEL_PATTERN: &str = "unread";
/// Inside a row, the chat's title (the number, for a contact not saved).
pub const ROW_TITLE: &str = "span[title]";
/// The text of a message bubble, tried in order (else the row's whole
/// text). `selectable-text` is one of the few class names WhatsApp has not
/// minified in years (captures 01–07).
pub const MESSAGE_TEXT: &[&str] = &["span.selectable-text", r#"span[dir="auto"]"#];

/// Every CSS hook, for the page scripts, the probe and drift reports.
pub const ALL: &[Hook] = &[
    QR,
    CHAT_LIST,
    CHAT,
    COMPOSE,
    SEND,
    ATTACH,
    MEDIA_INPUT,
    DOCUMENT_INPUT,
    CAPTION,
    MEDIA_SEND,
    MESSAGE_ROW,
    OUTGOING,
    POPUP,
    PHONE_NUMBER_INPUT,
    LINK_CODE,
    MENU,
    LOG_OUT,
    LOG_OUT_CONFIRM,
];

/// Hooks whose absence is normal (no reply yet, no restriction, no
/// dialog): looked up like the others, never reported as drift.
pub const OPTIONAL: &[Hook] = &[INCOMING, RESTRICTION];

/// The hook named `name`.
pub fn by_name(name: &str) -> Option<&'static Hook> {
    ALL.iter().chain(OPTIONAL).find(|h| h.name == name)
}

/// Every known UI label (`aria-label` values and texts the hooks use): the
/// only free-text attribute values a drift report may keep.
pub fn known_labels() -> Vec<&'static str> {
    let mut labels =
        vec!["Send", "Attach", "Add a caption", "Type a message", "Chat list", "Search or start a new chat"];
    labels.extend(["Scan this QR code to link a device!", "Type your phone number.", "Voice message", "Close"]);
    labels.extend(["Menu", "Log out"]);
    labels.extend(TICKS.iter().filter(|t| t.source == "aria-label").flat_map(|t| t.values.iter().map(|(v, _)| *v)));
    labels
}

/// The hooks as the page scripts take them: name → list of CSS selectors.
pub fn to_json() -> Value {
    let mut hooks = Map::new();
    for hook in ALL.iter().chain(OPTIONAL) {
        hooks.insert(hook.name.into(), hook.alternatives.iter().map(|a| a.css).collect::<Vec<_>>().into());
    }
    let ticks: Vec<Value> = TICKS
        .iter()
        .map(|t| {
            let values: Map<String, Value> = t.values.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
            json!({ "css": t.css, "source": t.source, "values": values })
        })
        .collect();
    json!({
        "css": hooks,
        "ticks": ticks,
        "qrAttribute": QR_ATTRIBUTE,
        "idAttribute": MESSAGE_ID_ATTRIBUTE,
        "rowTestIdPrefix": ROW_TEST_ID_PREFIX,
        "messageText": MESSAGE_TEXT,
        "chatRows": CHAT_ROWS,
        "unreadBadge": UNREAD_BADGE,
        "unreadPattern": UNREAD_LABEL_PATTERN,
        "rowTitle": ROW_TITLE,
        "timelockPlaces": TIMELOCK_PLACES,
        "timelockTexts": TIMELOCK_TEXTS,
        "restrictedTexts": RESTRICTED_TEXTS,
        "coveringTexts": COVERING_TEXTS,
        "dismissCss": DISMISS_CSS,
        "dismissTexts": DISMISS_TEXTS,
        "popupButton": POPUP_BUTTON,
        "invalidNumber": INVALID_NUMBER_TEXT,
        "unsupported": UNSUPPORTED_BROWSER_TEXT,
        "langPrefix": UI_LANGUAGE_PREFIX,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hook_has_alternatives_and_a_unique_name() {
        let mut names: Vec<&str> = ALL.iter().chain(OPTIONAL).map(|h| h.name).collect();
        names.push(TICKS_NAME);
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "hook names are unique");
        assert!(ALL.iter().all(|h| !h.alternatives.is_empty()));
        assert_eq!(by_name("send").map(|h| h.alternatives[0].css), Some(SEND.alternatives[0].css));
    }
}
