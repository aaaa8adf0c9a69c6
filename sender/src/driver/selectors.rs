//! Every DOM hook and text the driver relies on in WhatsApp Web, in one
//! place. WhatsApp changes its markup without notice; when the driver breaks
//! in production, this is the file to update (and the simulator in
//! `infra/wa-simulator/src/page.html`, which uses the same hooks).
//!
//! WhatsApp's class names are minified and change with every release, so
//! none is used here: only ids, `data-*` attributes, ARIA attributes and
//! user-visible texts, which have stayed stable for years. The texts are
//! English: the browser is started with `--lang=en-US` (WhatsApp Web picks
//! its language from the browser).

/// The QR login: the element that holds the pairing string WhatsApp encodes
/// in the QR, in its `data-ref` attribute (the `<canvas>` is drawn from it).
/// WhatsApp replaces the attribute in place about every 20 seconds.
pub const QR_CONTAINER: &str = "div[data-ref]";

/// The attribute of [`QR_CONTAINER`] that holds the QR string.
pub const QR_ATTRIBUTE: &str = "data-ref";

/// The chat list of the logged-in screen; its presence means "logged in and
/// loaded".
pub const CHAT_LIST: &str = "#pane-side";

/// The conversation panel that the send link (`/send?phone=…`) opens.
pub const CHAT: &str = "#main";

/// The send button of the conversation's compose box. WhatsApp shows it only
/// when the compose box holds text (a microphone otherwise), so its presence
/// means the send link's text has been filled in. Newer releases renamed the
/// icon `wds-ic-send-filled`; both are accepted.
pub const SEND_BUTTON: &str =
    r#"#main footer span[data-icon="send"], #main footer span[data-icon="wds-ic-send-filled"]"#;

/// The paper-clip/plus button that opens the attach menu.
pub const ATTACH_BUTTON: &str = r#"#main footer span[data-icon="plus"], #main footer span[data-icon="plus-rounded"]"#;

/// The hidden file input of the attach menu's "Photos & videos" item. What it
/// accepts decides how WhatsApp sends the file (compressed, with a preview).
pub const MEDIA_INPUT: &str = r#"input[type="file"][accept^="image/*"]"#;

/// The hidden file input of the attach menu's "Document" item (any file,
/// sent as-is).
pub const DOCUMENT_INPUT: &str = r#"input[type="file"][accept="*"]"#;

/// The caption box of the media preview that opens after a file is chosen.
pub const CAPTION_BOX: &str = r#"div[contenteditable="true"][aria-label="Add a caption"]"#;

/// The send button of the media preview (a `div[role=button]`, unlike the
/// compose box's `<button>`).
pub const MEDIA_SEND_BUTTON: &str = r#"div[role="button"][aria-label="Send"]"#;

/// One of our own messages in the open chat: WhatsApp's message ids are
/// `true_<jid>_<id>` for messages sent from this account, `false_…` for
/// received ones.
pub const OUTGOING_MESSAGE: &str = r#"#main div[data-id^="true_"]"#;

/// The attribute of [`OUTGOING_MESSAGE`] holding the message id.
pub const MESSAGE_ID_ATTRIBUTE: &str = "data-id";

/// Ticks inside an outgoing message: one check once WhatsApp's server has
/// acknowledged it, two once the recipient's phone has it (blue when read,
/// same icon). Before that WhatsApp shows a clock (`msg-time`); the driver
/// treats anything without a check as not yet sent.
pub const TICK_SENT: &str = r#"span[data-icon="msg-check"]"#;
pub const TICK_DELIVERED: &str = r#"span[data-icon="msg-dblcheck"]"#;

/// WhatsApp's modal popups (errors of the send link among them).
pub const POPUP: &str = r#"div[data-animate-modal-popup="true"]"#;

/// The button that dismisses a popup ("OK").
pub const POPUP_BUTTON: &str = r#"div[data-animate-modal-popup="true"] button"#;

/// What the popup says when the send link's number has no WhatsApp account.
pub const INVALID_NUMBER_TEXT: &str = "Phone number shared via url is invalid";

/// What WhatsApp shows instead of the app to a browser it does not support
/// (it checks the user agent; headless Chromium announces itself there).
pub const UNSUPPORTED_BROWSER_TEXT: &str = "WhatsApp works with Google Chrome";

/// The deep link that opens a chat with a prefilled message:
/// `/send?phone=<E.164 digits>&text=<percent-encoded>`.
pub const SEND_PATH: &str = "/send";
