//! The simulated WhatsApp server's memory: login pages waiting for a scan
//! ("pairings"), linked devices, numbers that are not on WhatsApp, and every
//! message received. One mutex guards it all; no lock is held across an
//! await, so handlers stay short and the state stays consistent.

use std::{
    collections::{HashMap, HashSet},
    sync::Mutex,
    time::{Duration, Instant},
};

use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::Utc;
use rand::RngCore;

use crate::{
    config::SimulatorConfig,
    model::{Attachment, DeliveryStatus, LinkedDevice, ReceivedMessage},
};

/// What a login page should show for its pairing.
pub enum PairingView {
    Qr(String),
    /// Scanned: the page stores this token in the browser profile.
    Linked(String),
}

#[derive(Debug, thiserror::Error)]
pub enum SendRefused {
    #[error("this device is not linked")]
    NotLinked,
    #[error("the phone number is not on WhatsApp")]
    NotOnWhatsApp,
}

#[derive(Debug, thiserror::Error)]
#[error("no login page is showing this QR (it expired, was never shown, or was already scanned)")]
pub struct UnknownRef;

/// A message as the page hands it over.
pub struct Outgoing {
    pub id: String,
    pub to: String,
    pub text: Option<String>,
    pub attachment: Option<Attachment>,
    pub caption: Option<String>,
}

struct Pairing {
    current_ref: String,
    ref_issued: Instant,
    last_polled: Instant,
    linked_token: Option<String>,
}

struct Stored {
    message: ReceivedMessage,
    received: Instant,
}

#[derive(Default)]
struct World {
    pairings: HashMap<String, Pairing>,
    /// By token: the secret the browser keeps, never shown by the control API.
    devices: HashMap<String, LinkedDevice>,
    not_on_whatsapp: HashSet<String>,
    messages: Vec<Stored>,
}

pub struct State {
    config: SimulatorConfig,
    world: Mutex<World>,
}

impl State {
    pub fn new(config: SimulatorConfig) -> Self {
        Self { config, world: Mutex::new(World::default()) }
    }

    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        // A panic elsewhere must not take the simulator down with it.
        self.world.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A login page opened: it gets a pairing id to poll for its QR.
    pub fn new_pairing(&self) -> String {
        let now = Instant::now();
        // Pages that stopped polling were closed; forget them.
        let idle_limit = (self.config.qr_refresh * 3).max(Duration::from_secs(30));
        let mut world = self.world();
        world.pairings.retain(|_, p| now.duration_since(p.last_polled) < idle_limit);
        let id = random_hex(12);
        world.pairings.insert(
            id.clone(),
            Pairing { current_ref: new_ref(), ref_issued: now, last_polled: now, linked_token: None },
        );
        id
    }

    /// The QR a login page shows now (a new one once the old has expired),
    /// or the device token once it was scanned.
    pub fn poll_pairing(&self, id: &str) -> Option<PairingView> {
        let now = Instant::now();
        let mut world = self.world();
        let pairing = world.pairings.get_mut(id)?;
        pairing.last_polled = now;
        if let Some(token) = &pairing.linked_token {
            return Some(PairingView::Linked(token.clone()));
        }
        if now.duration_since(pairing.ref_issued) >= self.config.qr_refresh {
            pairing.current_ref = new_ref();
            pairing.ref_issued = now;
        }
        Some(PairingView::Qr(pairing.current_ref.clone()))
    }

    /// The phone of `account` scanned the QR showing `qr_ref`.
    pub fn scan(&self, qr_ref: &str, account: &str) -> Result<LinkedDevice, UnknownRef> {
        let mut world = self.world();
        let pairing = world
            .pairings
            .values_mut()
            .find(|p| {
                p.linked_token.is_none() && p.current_ref == qr_ref && p.ref_issued.elapsed() < self.config.qr_refresh
            })
            .ok_or(UnknownRef)?;
        let token = random_hex(32);
        pairing.linked_token = Some(token.clone());
        let info = LinkedDevice { id: random_hex(8), account: account.to_owned(), linked_at: Utc::now() };
        world.devices.insert(token, info.clone());
        Ok(info)
    }

    /// The account whose device holds `token`, while it is linked.
    pub fn account_of(&self, token: &str) -> Option<String> {
        self.world().devices.get(token).map(|d| d.account.clone())
    }

    /// Unlinks one device, or every device when `device` is `None`; returns
    /// how many were unlinked.
    pub fn logout(&self, device: Option<&str>) -> usize {
        let mut world = self.world();
        let before = world.devices.len();
        world.devices.retain(|_, d| device.is_some_and(|id| id != d.id));
        before - world.devices.len()
    }

    pub fn devices(&self) -> Vec<LinkedDevice> {
        let mut devices: Vec<_> = self.world().devices.values().cloned().collect();
        devices.sort_by_key(|d| d.linked_at);
        devices
    }

    pub fn mark_not_on_whatsapp(&self, phone: &str) {
        self.world().not_on_whatsapp.insert(phone.to_owned());
    }

    pub fn is_on_whatsapp(&self, phone: &str) -> bool {
        !self.world().not_on_whatsapp.contains(phone)
    }

    /// Takes a message from the device behind `token`. Sending the same id
    /// twice stores it once, as WhatsApp deduplicates by message id.
    pub fn receive(&self, token: &str, outgoing: Outgoing) -> Result<(), SendRefused> {
        let mut world = self.world();
        let device = world.devices.get(token).ok_or(SendRefused::NotLinked)?.clone();
        if world.not_on_whatsapp.contains(&outgoing.to) {
            return Err(SendRefused::NotOnWhatsApp);
        }
        if world.messages.iter().any(|m| m.message.id == outgoing.id) {
            return Ok(());
        }
        tracing::info!(to = %outgoing.to, id = %outgoing.id, device = %device.id, "message received");
        world.messages.push(Stored {
            message: ReceivedMessage {
                id: outgoing.id,
                to: outgoing.to,
                from: device.account,
                device: device.id,
                text: outgoing.text,
                attachment: outgoing.attachment,
                caption: outgoing.caption,
                sent_at: Utc::now(),
                status: DeliveryStatus::Sent,
            },
            received: Instant::now(),
        });
        Ok(())
    }

    /// Every message received, oldest first; only those to `to` when given.
    pub fn messages(&self, to: Option<&str>) -> Vec<ReceivedMessage> {
        self.select(|m| to.is_none_or(|phone| m.to == phone))
    }

    /// The conversation of `account` with `phone`, oldest first.
    pub fn chat(&self, account: &str, phone: &str) -> Vec<ReceivedMessage> {
        self.select(|m| m.from == account && m.to == phone)
    }

    /// The phones `account` has written to, most recent first.
    pub fn chats(&self, account: &str) -> Vec<String> {
        let world = self.world();
        let mut phones: Vec<String> = Vec::new();
        for stored in world.messages.iter().rev().filter(|m| m.message.from == account) {
            if !phones.contains(&stored.message.to) {
                phones.push(stored.message.to.clone());
            }
        }
        phones
    }

    pub fn reset(&self) {
        *self.world() = World::default();
    }

    fn select(&self, keep: impl Fn(&ReceivedMessage) -> bool) -> Vec<ReceivedMessage> {
        let world = self.world();
        world
            .messages
            .iter()
            .filter(|m| keep(&m.message))
            .map(|m| {
                let mut message = m.message.clone();
                if m.received.elapsed() >= self.config.delivery_delay {
                    message.status = DeliveryStatus::Delivered;
                }
                message
            })
            .collect()
    }
}

/// A QR payload shaped like WhatsApp's: `ref,noiseKey,identityKey,advSecret`,
/// each random and base64 (so it contains `+`, `/` and `=` like the real one).
fn new_ref() -> String {
    format!("2@{},{},{},{}", random_b64(48), random_b64(32), random_b64(32), random_b64(32))
}

fn random_b64(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut bytes);
    STANDARD.encode(bytes)
}

fn random_hex(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(qr_refresh_ms: u64) -> State {
        State::new(SimulatorConfig {
            qr_refresh: Duration::from_millis(qr_refresh_ms),
            delivery_delay: Duration::from_millis(50),
        })
    }

    fn qr(state: &State, pairing: &str) -> String {
        match state.poll_pairing(pairing) {
            Some(PairingView::Qr(qr)) => qr,
            _ => panic!("expected a QR"),
        }
    }

    fn text(id: &str, to: &str) -> Outgoing {
        Outgoing { id: id.into(), to: to.into(), text: Some("hi".into()), attachment: None, caption: None }
    }

    #[test]
    fn qr_rotates_and_only_the_current_one_scans() {
        let state = state(30);
        let pairing = state.new_pairing();
        let first = qr(&state, &pairing);
        assert!(first.starts_with("2@"));
        std::thread::sleep(Duration::from_millis(40));
        let second = qr(&state, &pairing);
        assert_ne!(first, second);
        assert!(state.scan(&first, "989000000001").is_err());
        let device = state.scan(&second, "989000000001").unwrap();
        let Some(PairingView::Linked(token)) = state.poll_pairing(&pairing) else { panic!("linked") };
        assert_eq!(state.account_of(&token).as_deref(), Some("989000000001"));
        assert_eq!(state.devices(), vec![device]);
        // The same QR cannot link a second device.
        assert!(state.scan(&second, "989000000002").is_err());
    }

    #[test]
    fn messages_dedupe_turn_delivered_and_stop_at_logout() {
        let state = state(20_000);
        let pairing = state.new_pairing();
        let device = state.scan(&qr(&state, &pairing), "989000000001").unwrap();
        let Some(PairingView::Linked(token)) = state.poll_pairing(&pairing) else { panic!("linked") };

        state.receive(&token, text("3EB0A", "989121234567")).unwrap();
        state.receive(&token, text("3EB0A", "989121234567")).unwrap();
        let received = state.messages(Some("989121234567"));
        assert_eq!(received.len(), 1, "one message per id");
        assert_eq!((received[0].status, received[0].device.as_str()), (DeliveryStatus::Sent, device.id.as_str()));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(state.messages(None)[0].status, DeliveryStatus::Delivered);
        assert_eq!(state.chats("989000000001"), vec!["989121234567".to_string()]);

        state.mark_not_on_whatsapp("989122222222");
        assert!(matches!(state.receive(&token, text("3EB0B", "989122222222")), Err(SendRefused::NotOnWhatsApp)));

        assert_eq!(state.logout(Some("another-device")), 0);
        assert_eq!(state.logout(Some(&device.id)), 1);
        assert!(matches!(state.receive(&token, text("3EB0C", "989121234567")), Err(SendRefused::NotLinked)));
        assert!(state.account_of(&token).is_none());
    }
}
