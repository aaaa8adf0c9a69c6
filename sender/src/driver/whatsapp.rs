//! One WhatsApp Web session: a browser on one profile, and what a campaign
//! needs from it — the QR (or a pairing code) while logging in, whether it
//! is connected, opening chats, sending (in `send.rs`) and the ticks of the
//! last message to a phone.
//!
//! Chats open inside the running app (an injected `wa.me` link, as browser
//! extensions do); only when that fails does the driver navigate to the
//! `/send?phone=` deep link, which reloads the whole app (seconds on the
//! real site). Every wait polls the page ([`super::page`]); nothing sleeps a
//! fixed time. Which alternative of each hook matched is logged once per
//! session, so a log shows what markup the live site has.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Mutex,
    },
    time::Duration,
};

use fantoccini::{Client, Locator};
use serde::Deserialize;
use shared::domain::Phone;
use url::Url;

use super::{
    browser::Browser,
    page::{self, Screen, Until, Waited},
    process::MemoryUsage,
    selectors::{self, Hook},
    DriverError, Timeouts,
};

/// How long a chat opened inside the app may take before the driver falls
/// back to the full-reload link (the page timeout, when shorter).
const IN_APP_OPEN_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginState {
    /// WhatsApp Web is still starting (or loading chats).
    Loading,
    /// The QR code shows this string (WhatsApp's `data-ref`); it changes
    /// about every 20 seconds.
    Qr(String),
    /// "Link with phone number" asks for the number.
    PhoneEntry,
    /// "Link with phone number" shows this code (`ABCD-EFGH`) to type on
    /// the phone; it changes about every 3 minutes.
    PairingCode(String),
    LoggedIn,
}

/// The ticks of a message we sent, in the order they come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// No tick yet (a clock): WhatsApp's server has not acknowledged it.
    Pending,
    /// One tick: WhatsApp has it.
    Sent,
    /// Two ticks: the recipient's phone has it.
    Delivered,
    /// Two blue ticks: the recipient opened it.
    Read,
}

/// How chats are opened. [`ChatOpening::InApp`] is the normal way; the bench
/// compares it with reloading for every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatOpening {
    InApp,
    Reload,
}

/// How many chats were opened each way (for tests and the bench).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChatOpens {
    pub in_app: u64,
    pub reloads: u64,
}

/// What a drift report carries: no message text, no names.
pub struct Diagnostics {
    /// PNG, with every text and picture hidden.
    pub screenshot: Vec<u8>,
    /// Tags, ids, `data-*` and `aria-*` attributes (see `page::OUTLINE`).
    pub outline: String,
}

pub struct WhatsAppSession {
    browser: Browser,
    profile_dir: PathBuf,
    base_url: Url,
    timeouts: Timeouts,
    /// Hook → index of the alternative that matched, as last logged.
    matched: Mutex<HashMap<String, usize>>,
    /// The phone (digits) whose chat is open, when the driver opened it.
    open_phone: Mutex<Option<String>>,
    reload_only: AtomicBool,
    in_app_opens: AtomicU64,
    reloads: AtomicU64,
}

impl WhatsAppSession {
    /// Loads WhatsApp Web and waits until it shows either the QR or the
    /// chats (a profile that was linked before opens logged in).
    pub(super) async fn open(
        browser: Browser,
        profile_dir: &Path,
        base_url: Url,
        timeouts: Timeouts,
    ) -> Result<Self, DriverError> {
        let session = Self::on(browser, profile_dir, base_url, timeouts);
        session.client().goto(session.base_url.as_str()).await?;
        match session.next_login_state(&LoginState::Loading, timeouts.page).await? {
            LoginState::Loading => Err(DriverError::Timeout { waited: timeouts.page, step: "loading WhatsApp Web" }),
            _ => Ok(session),
        }
    }

    /// A session on `browser` that has not loaded anything yet.
    pub(super) fn on(browser: Browser, profile_dir: &Path, base_url: Url, timeouts: Timeouts) -> Self {
        Self {
            browser,
            profile_dir: profile_dir.to_owned(),
            base_url,
            timeouts,
            matched: Mutex::new(HashMap::new()),
            open_phone: Mutex::new(None),
            reload_only: AtomicBool::new(false),
            in_app_opens: AtomicU64::new(0),
            reloads: AtomicU64::new(0),
        }
    }

    pub(super) fn client(&self) -> &Client {
        self.browser.client()
    }

    pub(super) fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// Waits in the page and logs any hook that matched an alternative for
    /// the first time (or a different one than before).
    pub(super) async fn wait(&self, until: Until<'_>, timeout: Duration) -> Result<Waited, DriverError> {
        let waited = page::wait(self.client(), until, timeout).await?;
        self.note_matches(&waited.used);
        Ok(waited)
    }

    fn note_matches(&self, used: &HashMap<String, usize>) {
        let mut matched = self.matched.lock().unwrap_or_else(|p| p.into_inner());
        for (hook, &index) in used {
            let before = matched.insert(hook.clone(), index);
            if before == Some(index) {
                continue;
            }
            let alternative = alternative_label(hook, index);
            if before.is_none() {
                tracing::info!(hook = %hook, alternative, index, "WhatsApp Web hook matched");
            } else {
                tracing::warn!(hook = %hook, alternative, index, "WhatsApp Web hook now matches another alternative");
            }
        }
    }

    /// Which alternative of each hook matched so far in this session.
    pub fn matched_alternatives(&self) -> Vec<(String, usize, &'static str)> {
        let matched = self.matched.lock().unwrap_or_else(|p| p.into_inner());
        let mut list: Vec<_> = matched.iter().map(|(h, &i)| (h.clone(), i, alternative_label(h, i))).collect();
        list.sort();
        list
    }

    /// Waits for any alternative of `hook`; the CSS of the one that matched.
    /// A timeout on a page that is otherwise fine is drift:
    /// [`DriverError::HookMissing`] names the hook.
    pub(super) async fn find_hook(&self, hook: &Hook, timeout: Duration) -> Result<&'static str, DriverError> {
        self.find_hook_unless(hook, None, timeout).await
    }

    /// [`Self::find_hook`] that gives up early on the `unless` screens
    /// instead of every login screen (for steps of the login itself).
    async fn find_hook_unless(
        &self,
        hook: &Hook,
        unless: Option<&[&str]>,
        timeout: Duration,
    ) -> Result<&'static str, DriverError> {
        let (_, css) = self.find_any_unless(&[hook], unless, timeout).await?;
        Ok(css)
    }

    /// Waits for any alternative of any of `hooks` (the first hook listed
    /// wins when several show); that hook and the CSS that matched. A
    /// timeout names the first hook as missing.
    pub(super) async fn find_any(
        &self,
        hooks: &[&Hook],
        timeout: Duration,
    ) -> Result<(&'static str, &'static str), DriverError> {
        self.find_any_unless(hooks, None, timeout).await
    }

    async fn find_any_unless(
        &self,
        hooks: &[&Hook],
        unless: Option<&[&str]>,
        timeout: Duration,
    ) -> Result<(&'static str, &'static str), DriverError> {
        let names: Vec<&'static str> = hooks.iter().map(|h| h.name).collect();
        let waited = self.wait(Until::Hook { hooks: &names, unless }, timeout).await?;
        if waited.met {
            for hook in hooks {
                if let Some(&index) = waited.used.get(hook.name) {
                    return Ok((hook.name, hook.alternatives[index].css));
                }
            }
        }
        Err(match gone(waited.screen) {
            Some(err) => err,
            None => DriverError::HookMissing { hook: names[0] },
        })
    }

    /// Calls a function of the page library (`page.js`), noting the
    /// alternatives it used.
    pub(super) async fn call<T: serde::de::DeserializeOwned>(
        &self,
        function: &str,
        args: serde_json::Value,
    ) -> Result<T, DriverError> {
        let called = page::call(self.client(), function, args).await?;
        self.note_matches(&called.used);
        Ok(called.value)
    }

    /// Clicks the element at `css` as a person would. A dialog that covers
    /// the app ("What's new" after a scan) is dismissed first; a click it
    /// intercepted anyway (it came up in between) is tried once more after
    /// dismissing it.
    pub(super) async fn click(&self, css: &str) -> Result<(), DriverError> {
        self.dismiss_covering_dialog().await?;
        match self.client().find(Locator::Css(css)).await?.click().await {
            Ok(()) => Ok(()),
            Err(err) if is_intercepted(&err) => {
                tracing::info!("a click was intercepted; dismissing what covers the page and clicking again");
                self.dismiss_covering_dialog().await?;
                self.client().find(Locator::Css(css)).await?.click().await?;
                Ok(())
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Dismisses a dialog that covers the app, if one does; whether one did.
    pub async fn dismiss_covering_dialog(&self) -> Result<bool, DriverError> {
        let dismissed: Option<String> = self.call("dismissCovering", serde_json::json!([])).await?;
        if let Some(how) = &dismissed {
            tracing::info!(how = %how, "dismissed a dialog covering WhatsApp Web");
        }
        Ok(dismissed.is_some())
    }

    /// Everything the driver reads from the page as it is now, at once:
    /// the screen, which alternative of every hook matches, the replies
    /// after our newest message, the unread chats, a restriction and
    /// whether a dialog covers the app. For the probe and the captures test.
    pub async fn reading(&self) -> Result<PageReading, DriverError> {
        Ok(PageReading {
            screen: self.wait(Until::Now, Duration::ZERO).await?.screen,
            matched: self.call("matchAll", serde_json::json!([])).await?,
            replies: self.call("repliesAfterOurs", serde_json::json!([super::inbox::MAX_MESSAGES])).await?,
            unread: self.call("unreadTitles", serde_json::json!([])).await?,
            restriction: self.call("restriction", serde_json::json!([])).await?,
            covered: self.call("covered", serde_json::json!([])).await?,
        })
    }

    /// What the login screen shows now.
    pub async fn login_state(&self) -> Result<LoginState, DriverError> {
        login_state(self.wait(Until::Now, Duration::ZERO).await?.screen)
    }

    /// Waits until the login state differs from `previous` (a new QR or
    /// code, or logged in) and returns it; after `wait` returns the state as
    /// it is, which may be unchanged.
    pub async fn next_login_state(&self, previous: &LoginState, wait: Duration) -> Result<LoginState, DriverError> {
        let code;
        let until = match previous {
            LoginState::Qr(shown) => Until::Login { not_screen: "qr", not_detail: Some(shown) },
            LoginState::PairingCode(shown) => {
                code = shown.chars().filter(|c| *c != '-').map(String::from).collect::<Vec<_>>().join(",");
                Until::Login { not_screen: "linkcode", not_detail: Some(&code) }
            }
            LoginState::PhoneEntry => Until::Login { not_screen: "phoneentry", not_detail: None },
            LoginState::Loading => Until::Login { not_screen: "loading", not_detail: None },
            // Logged in: wait for a login screen after a logout.
            LoginState::LoggedIn => Until::LoggedOut,
        };
        login_state(self.wait(until, wait).await?.screen)
    }

    /// Logged in, as far as the page shows: a device unlinked from the
    /// phone goes back to the QR.
    pub async fn is_connected(&self) -> Result<bool, DriverError> {
        Ok(self.login_state().await? == LoginState::LoggedIn)
    }

    /// "Link with phone number": asks WhatsApp Web for the code to type on
    /// the phone of `phone` (`ABCD-EFGH`). The page must show a login screen.
    #[tracing::instrument(skip_all)]
    pub async fn request_pairing_code(&self, phone: &Phone) -> Result<String, DriverError> {
        let page_timeout = self.timeouts.page;
        match self.login_state().await? {
            LoginState::Qr(_) => {
                if page::click_text(self.client(), selectors::LINK_WITH_PHONE_TEXTS).await?.is_none() {
                    return Err(DriverError::HookMissing { hook: "link-with-phone-number" });
                }
            }
            LoginState::PhoneEntry => {}
            LoginState::PairingCode(_) | LoginState::Loading | LoginState::LoggedIn => {
                return Err(DriverError::UnexpectedPage("a pairing code needs the QR login screen".into()))
            }
        }
        // The form and the code come after a click and a round trip to
        // WhatsApp: only a refusal of the page (or, once the number is
        // submitted, a fall back to the QR) ends these waits early.
        let refused: &[&str] = &["unsupported", "language"];
        let input = self.find_hook_unless(&selectors::PHONE_NUMBER_INPUT, Some(refused), page_timeout).await?;
        let field = self.client().find(Locator::Css(input)).await?;
        field.clear().await?;
        field.send_keys(&format!("+{}", phone.as_str())).await?;
        if page::click_text(self.client(), &[selectors::NEXT_TEXT]).await?.is_none() {
            return Err(DriverError::HookMissing { hook: "next" });
        }
        self.find_hook_unless(&selectors::LINK_CODE, Some(&["unsupported", "language", "qr"]), page_timeout).await?;
        match self.login_state().await? {
            LoginState::PairingCode(code) => Ok(code),
            other => Err(DriverError::UnexpectedPage(format!("no pairing code after Next: {other:?}"))),
        }
    }

    /// Loads `url` in this session's browser (a saved page of WhatsApp Web:
    /// the captures test reads one after the other).
    pub async fn load(&self, url: &Url) -> Result<(), DriverError> {
        self.set_open(None);
        self.client().goto(url.as_str()).await?;
        Ok(())
    }

    /// Loads WhatsApp Web afresh (a full reload: the login screen starts over
    /// with a QR) and waits past its loading screen.
    pub async fn restart(&self) -> Result<LoginState, DriverError> {
        self.set_open(None);
        self.client().goto(self.base_url.as_str()).await?;
        self.next_login_state(&LoginState::Loading, self.timeouts.page).await
    }

    /// The number this session is logged in as, from WhatsApp's own record
    /// (`last-wid-md`, or the older `last-wid`): 8–15 digits; `None` before a
    /// login or for an id that is not a phone number (`@lid`).
    pub async fn own_number(&self) -> Result<Option<String>, DriverError> {
        Ok(page::own_number_raw(self.client()).await?.and_then(|raw| parse_wid(&raw)))
    }

    /// The ticks of the newest message we sent to `phone` (`None` when there
    /// is none, the number is not on WhatsApp, or no tick alternative
    /// recognises its icon). Reads the open chat when it is that phone's,
    /// else opens it.
    pub async fn message_status(&self, phone: &Phone) -> Result<Option<MessageStatus>, DriverError> {
        let last = if self.is_open(phone) {
            match self.wait(Until::Now, Duration::ZERO).await?.screen {
                Screen::Chat { last, .. } => last,
                other => return Err(gone(other).unwrap_or(DriverError::HookMissing { hook: selectors::CHAT.name })),
            }
        } else {
            match self.open_chat(phone).await? {
                OpenChat::NotOnWhatsApp(_) => return Ok(None),
                OpenChat::Ready { last } => last,
            }
        };
        Ok(last.and_then(|m| m.status_noted()))
    }

    /// Opens chats by reloading the app ([`ChatOpening::Reload`]) instead of
    /// inside it: only for comparing the two.
    pub fn set_chat_opening(&self, opening: ChatOpening) {
        self.reload_only.store(opening == ChatOpening::Reload, Ordering::Relaxed);
    }

    pub fn chat_opens(&self) -> ChatOpens {
        ChatOpens { in_app: self.in_app_opens.load(Ordering::Relaxed), reloads: self.reloads.load(Ordering::Relaxed) }
    }

    /// A screenshot and an outline of the page as it is, for a drift report.
    pub async fn diagnostics(&self) -> Result<Diagnostics, DriverError> {
        let outline = page::outline(self.client()).await?;
        let screenshot = page::redacted_screenshot(self.client()).await?;
        Ok(Diagnostics { screenshot, outline })
    }

    /// The browser profile this session lives in.
    pub fn profile_dir(&self) -> &Path {
        &self.profile_dir
    }

    /// The memory of this session's browser (its whole process tree).
    pub fn memory(&self) -> MemoryUsage {
        self.browser.memory()
    }

    /// Closes the browser; the profile stays on disk, complete (Chromium
    /// writes it out on a clean exit).
    pub async fn close(self) -> Result<(), DriverError> {
        self.browser.close().await
    }

    /// `…/send?phone=<digits>`: WhatsApp's deep link that opens the chat —
    /// with a reload of the whole app.
    fn send_link(&self, phone: &Phone) -> Url {
        let mut url = self.base_url.join(selectors::SEND_PATH).expect("a fixed relative path joins");
        url.set_query(Some(&format!("phone={}", phone.as_str())));
        url
    }

    /// The phone (digits) whose chat the driver opened last, if still open.
    pub(super) fn open_phone(&self) -> Option<String> {
        self.open_phone.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn is_open(&self, phone: &Phone) -> bool {
        self.open_phone.lock().unwrap_or_else(|p| p.into_inner()).as_deref() == Some(phone.as_str())
    }

    pub(super) fn set_open(&self, phone: Option<&Phone>) {
        *self.open_phone.lock().unwrap_or_else(|p| p.into_inner()) = phone.map(|p| p.as_str().to_owned());
    }

    /// Opens the chat with `phone`: inside the app when it can, else through
    /// the reloading deep link.
    pub(super) async fn open_chat(&self, phone: &Phone) -> Result<OpenChat, DriverError> {
        self.set_open(None);
        if !self.reload_only.load(Ordering::Relaxed) {
            let href = format!("{}{}", selectors::IN_APP_LINK_BASE, phone.as_str());
            if page::open_in_app(self.client(), &href).await? {
                let waited =
                    self.wait(Until::Chat { fresh: true }, IN_APP_OPEN_TIMEOUT.min(self.timeouts.page)).await?;
                if let Some(opened) = self.opened(phone, waited).await? {
                    self.in_app_opens.fetch_add(1, Ordering::Relaxed);
                    return Ok(opened);
                }
                tracing::warn!("the in-app link did not open the chat; reloading with the send link");
            } else {
                tracing::warn!("WhatsApp Web did not take the in-app link; reloading with the send link");
            }
        }
        self.reloads.fetch_add(1, Ordering::Relaxed);
        self.client().goto(self.send_link(phone).as_str()).await?;
        let waited = self.wait(Until::Chat { fresh: true }, self.timeouts.page).await?;
        // Logged in, yet no chat panel: its hook drifted.
        if !waited.met && matches!(waited.screen, Screen::Main | Screen::Chat { .. }) {
            return Err(DriverError::HookMissing { hook: selectors::CHAT.name });
        }
        match self.opened(phone, waited).await? {
            Some(opened) => Ok(opened),
            None => Err(DriverError::Timeout { waited: self.timeouts.page, step: "opening the chat" }),
        }
    }

    /// What an open attempt led to; `None` when the chat did not show.
    async fn opened(&self, phone: &Phone, waited: Waited) -> Result<Option<OpenChat>, DriverError> {
        if !waited.met {
            return Ok(None);
        }
        match waited.screen {
            Screen::Chat { last, .. } => {
                self.set_open(Some(phone));
                Ok(Some(OpenChat::Ready { last }))
            }
            Screen::Invalid { detail } => {
                // Dismiss it, or it would cover the next chat.
                let popup = selectors::POPUP.alternatives[waited.used.get("popup").copied().unwrap_or(0)].css;
                self.click(&format!("{popup} {}", selectors::POPUP_BUTTON)).await?;
                Ok(Some(OpenChat::NotOnWhatsApp(detail)))
            }
            other => Err(gone(other).unwrap_or_else(|| DriverError::UnexpectedPage("no chat".into()))),
        }
    }
}

/// What [`WhatsAppSession::reading`] saw.
#[derive(Debug, Clone)]
pub struct PageReading {
    pub screen: Screen,
    /// Hook (and `ticks`) → the index of the first alternative that
    /// matches somewhere on the page, -1 for none.
    pub matched: HashMap<String, i64>,
    pub replies: Vec<super::Incoming>,
    /// The titles of chat rows with an unread counter.
    pub unread: Vec<String>,
    pub restriction: Option<super::Restriction>,
    /// A dialog covers the app ("What's new").
    pub covered: bool,
}

/// Whether WebDriver refused a click because another element (a dialog)
/// would receive it.
fn is_intercepted(err: &fantoccini::error::CmdError) -> bool {
    err.to_string().contains("click intercepted")
}

/// What opening a chat led to.
pub(super) enum OpenChat {
    Ready { last: Option<page::LastMessage> },
    NotOnWhatsApp(String),
}

/// The error for a screen on which nothing of a chat can happen.
pub(super) fn gone(screen: Screen) -> Option<DriverError> {
    match screen {
        Screen::Qr { .. } | Screen::PhoneEntry | Screen::LinkCode { .. } => Some(DriverError::LoggedOut),
        Screen::Unsupported { detail } => Some(DriverError::BrowserRejected(detail)),
        Screen::Language { detail } => Some(DriverError::UiLanguage(detail)),
        Screen::Loading | Screen::Main | Screen::Chat { .. } | Screen::Invalid { .. } => None,
    }
}

fn alternative_label(hook: &str, index: usize) -> &'static str {
    if hook == selectors::TICKS_NAME {
        return selectors::TICKS.get(index).map_or("?", |t| t.label);
    }
    selectors::by_name(hook).and_then(|h| h.alternatives.get(index)).map_or("?", |a| a.label)
}

fn login_state(screen: Screen) -> Result<LoginState, DriverError> {
    match screen {
        Screen::Loading => Ok(LoginState::Loading),
        Screen::Qr { detail } => Ok(LoginState::Qr(detail)),
        Screen::PhoneEntry => Ok(LoginState::PhoneEntry),
        Screen::LinkCode { detail } => Ok(LoginState::PairingCode(format_code(&detail))),
        Screen::Unsupported { detail } => Err(DriverError::BrowserRejected(detail)),
        Screen::Language { detail } => Err(DriverError::UiLanguage(detail)),
        Screen::Main | Screen::Chat { .. } | Screen::Invalid { .. } => Ok(LoginState::LoggedIn),
    }
}

/// `A,B,C,D,E,F,G,H` (as WhatsApp keeps it) → `ABCD-EFGH` (as it shows it).
fn format_code(raw: &str) -> String {
    let chars: String = raw.split(',').map(str::trim).collect();
    if chars.len() == 8 {
        format!("{}-{}", &chars[..4], &chars[4..])
    } else {
        chars
    }
}

/// `"989121234567:12@c.us"` → `989121234567`; anything else (an `@lid`
/// id, a malformed value) → `None`.
fn parse_wid(raw: &str) -> Option<String> {
    let (user, server) = raw.trim().split_once('@')?;
    if server != "c.us" {
        return None;
    }
    let digits = user.split(':').next()?;
    ((8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())).then(|| digits.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairing_codes_show_as_two_groups_of_four() {
        assert_eq!(format_code("A,B,C,D,E,F,G,H"), "ABCD-EFGH");
    }

    #[test]
    fn own_numbers_come_from_phone_wids_only() {
        assert_eq!(parse_wid("989121234567:12@c.us").as_deref(), Some("989121234567"));
        assert_eq!(parse_wid("989121234567@c.us").as_deref(), Some("989121234567"));
        assert_eq!(parse_wid("123456789012345:3@lid"), None);
        assert_eq!(parse_wid("12@c.us"), None);
    }

    #[test]
    fn ticks_only_move_forward() {
        assert!(MessageStatus::Pending < MessageStatus::Sent);
        assert!(MessageStatus::Delivered < MessageStatus::Read);
    }
}
