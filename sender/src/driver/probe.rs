//! What an operator runs after a WhatsApp release: which alternative of
//! every hook the live page matches, screen by screen, without sending
//! anything. The probe may type into the compose box (to make the send
//! button appear) and open the attach menu; it clears and closes them again
//! and never presses send.

use std::fmt;

use shared::domain::Phone;

use super::{page, selectors, DriverError, LoginState, WhatsAppSession};

/// One hook's finding.
#[derive(Debug, Clone)]
pub struct HookFinding {
    pub hook: &'static str,
    /// Where it was looked for (`login screen`, `chat`, …).
    pub stage: &'static str,
    /// `Some((index, label, css))` when an alternative matched.
    pub matched: Option<(usize, &'static str, &'static str)>,
    /// The selectors tried, for a hook that matched none.
    pub tried: Vec<&'static str>,
}

/// What the probe saw.
#[derive(Debug, Clone, Default)]
pub struct ProbeReport {
    pub login: String,
    pub own_number: Option<String>,
    pub findings: Vec<HookFinding>,
    /// Hooks this run could not reach, with why.
    pub not_checked: Vec<(&'static str, &'static str)>,
    /// How the chat opened (`in-app` or `reload`), when one was opened.
    pub chat_opened: Option<&'static str>,
    /// What WhatsApp's restriction bar or notice says, when one shows.
    pub restriction: Option<String>,
}

impl ProbeReport {
    /// Hooks that were looked for and matched no alternative.
    pub fn drifted(&self) -> Vec<&'static str> {
        self.findings.iter().filter(|f| f.matched.is_none()).map(|f| f.hook).collect()
    }
}

impl fmt::Display for ProbeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "login: {}", self.login)?;
        writeln!(f, "own number: {}", self.own_number.as_deref().unwrap_or("-"))?;
        if let Some(how) = self.chat_opened {
            writeln!(f, "chat opened: {how}")?;
        }
        if let Some(text) = &self.restriction {
            writeln!(f, "restricted: {text}")?;
        }
        for finding in &self.findings {
            match finding.matched {
                Some((index, label, css)) => {
                    writeln!(f, "  ok     {:<20} [{}] #{index} {label}: {css}", finding.hook, finding.stage)?
                }
                None => writeln!(
                    f,
                    "  DRIFT  {:<20} [{}] none of: {}",
                    finding.hook,
                    finding.stage,
                    finding.tried.join(" | ")
                )?,
            }
        }
        for (hook, why) in &self.not_checked {
            writeln!(f, "  -      {hook:<20} not checked: {why}")?;
        }
        Ok(())
    }
}

impl WhatsAppSession {
    /// Probes the page as it is, and, when logged in and `phone` is given,
    /// the chat with `phone` (opened, typed into and cleared, never sent).
    pub async fn probe(&self, phone: Option<&Phone>) -> Result<ProbeReport, DriverError> {
        let mut report = ProbeReport::default();
        let login = self.login_state().await?;
        report.login = match &login {
            LoginState::Loading => "still loading".into(),
            LoginState::Qr(_) => "QR code showing (not linked)".into(),
            LoginState::PhoneEntry => "phone number form".into(),
            LoginState::PairingCode(_) => "pairing code showing".into(),
            LoginState::LoggedIn => "logged in".into(),
        };
        report.own_number = self.own_number().await?;
        if login != LoginState::LoggedIn {
            self.look(&mut report, "login screen", &["qr"]).await?;
            report.not_checked.push(("chat hooks", "the profile is not logged in"));
            return Ok(report);
        }
        // "What's new" after a scan covers the app until dismissed.
        self.dismiss_covering_dialog().await?;
        self.look(&mut report, "chat list", &["chat-list", "menu"]).await?;
        let Some(phone) = phone else {
            report.not_checked.push(("chat hooks", "give --phone to open a chat"));
            return Ok(report);
        };
        let before = self.chat_opens();
        let opened = self.open_chat(phone).await;
        report.chat_opened =
            Some(if self.chat_opens().reloads > before.reloads { "reload (in-app link failed)" } else { "in-app" });
        match opened {
            Ok(super::OpenChat::Ready { .. }) => {}
            Ok(super::OpenChat::NotOnWhatsApp(_)) => {
                report.not_checked.push(("chat hooks", "that number is not on WhatsApp"));
                return Ok(report);
            }
            Err(DriverError::HookMissing { hook }) => {
                self.look(&mut report, "chat", &[hook]).await?;
                return Ok(report);
            }
            Err(err) => return Err(err),
        }
        // A chat WhatsApp's timelock closes (a new one: no messages yet)
        // shows its bar instead of the box.
        let restriction: Option<super::Restriction> = self.call("restriction", serde_json::json!([])).await?;
        if let Some(restriction) = restriction {
            self.look(&mut report, "chat", &["chat", "restriction"]).await?;
            report.restriction = Some(restriction.text);
            report.not_checked.push(("compose, attach, send", "the chat shows WhatsApp's restriction instead"));
            report.not_checked.push(("message-row, outgoing, ticks", "a chat the timelock closes has no messages"));
            return Ok(report);
        }
        self.look(&mut report, "chat", &["chat", "message-row", "outgoing", "ticks"]).await?;
        report.not_checked.push(("restriction", "not showing: the number is not restricted"));
        self.look(&mut report, "chat", &["compose", "attach"]).await?;
        if let Some(compose) = self.css_of(selectors::COMPOSE.name, &report) {
            page::insert_text(self.client(), compose, "probe").await?;
            self.look(&mut report, "chat with text typed", &["send"]).await?;
            page::insert_text(self.client(), compose, "").await?;
        }
        if let Some(attach) = self.css_of(selectors::ATTACH.name, &report) {
            self.click(attach).await?;
            self.look(&mut report, "attach menu", &["media-input", "document-input"]).await?;
            // The same button closes the menu again.
            self.click(attach).await?;
        }
        if report.findings.iter().any(|f| f.hook == selectors::MESSAGE_ROW.name && f.matched.is_none()) {
            report.not_checked.push(("message-row, outgoing, ticks", "drift, or no message in this chat yet"));
        }
        report.not_checked.push(("caption, media-send", "they show only once a file is chosen"));
        Ok(report)
    }

    fn css_of(&self, hook: &str, report: &ProbeReport) -> Option<&'static str> {
        report.findings.iter().rev().find(|f| f.hook == hook).and_then(|f| f.matched.map(|(_, _, css)| css))
    }

    async fn look(&self, report: &mut ProbeReport, stage: &'static str, hooks: &[&str]) -> Result<(), DriverError> {
        let found: std::collections::HashMap<String, i64> = self.call("matchAll", serde_json::json!([])).await?;
        for &name in hooks {
            let index = found.get(name).copied().unwrap_or(-1);
            let finding = if name == selectors::TICKS_NAME {
                let tried = selectors::TICKS.iter().map(|t| t.css).collect();
                let matched =
                    usize::try_from(index).ok().map(|i| (i, selectors::TICKS[i].label, selectors::TICKS[i].css));
                HookFinding { hook: selectors::TICKS_NAME, stage, matched, tried }
            } else {
                let Some(hook) = selectors::by_name(name) else { continue };
                let matched =
                    usize::try_from(index).ok().map(|i| (i, hook.alternatives[i].label, hook.alternatives[i].css));
                HookFinding {
                    hook: hook.name,
                    stage,
                    matched,
                    tried: hook.alternatives.iter().map(|a| a.css).collect(),
                }
            };
            report.findings.push(finding);
        }
        Ok(())
    }
}
