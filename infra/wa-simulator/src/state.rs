//! The simulated WhatsApp server's memory: login pages waiting for a scan
//! or a pairing code ("pairings"), linked devices, numbers that are not on
//! WhatsApp, every message sent with its receipts, every message phones
//! wrote to accounts, reach-out timelocks, new-chat message caps, and the
//! hooks a test made drift.
//! Messages of both directions share one sequence, so a chat reads in time
//! order. One mutex guards it all; no lock is held across an await, so
//! handlers stay short and the state stays consistent.

use std::{
    collections::{HashMap, HashSet},
    sync::Mutex,
    time::{Duration, Instant},
};

use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::{DateTime, Utc};
use rand::{Rng, RngCore};

use crate::{
    config::SimulatorConfig,
    model::{Attachment, DeliveryStatus, LinkedDevice, NewChatCap, ReceivedMessage},
};

/// What a login page should show for its pairing.
pub enum PairingView {
    Qr(String),
    /// "Link with phone number": the 8-character code the user types on the
    /// phone of `phone`.
    Code {
        code: String,
        phone: String,
    },
    /// Scanned: the page stores this token in the browser profile.
    Linked(String),
}

#[derive(Debug, thiserror::Error)]
pub enum SendRefused {
    #[error("this device is not linked")]
    NotLinked,
    #[error("the phone number is not on WhatsApp")]
    NotOnWhatsApp,
    #[error("this account is restricted")]
    Restricted,
    /// WhatsApp's reach-out timelock: the contact never wrote to the
    /// account, and the account may not start new chats for now.
    #[error("this account cannot start new chats right now (reach-out timelock)")]
    Timelocked,
    #[error("WhatsApp's servers are not taking messages right now")]
    Stalled,
}

#[derive(Debug, thiserror::Error)]
#[error("no login page is showing this QR (it expired, was never shown, or was already scanned)")]
pub struct UnknownRef;

#[derive(Debug, thiserror::Error)]
#[error("no login page is showing this pairing code for this phone (it expired, or the number differs)")]
pub struct UnknownCode;

/// The hooks a test may make drift: the page then draws that hook with names
/// no alternative of the driver knows, as a WhatsApp release would.
pub const DRIFTABLE_HOOKS: &[&str] = &["send", "attach", "caption", "media-send", "ticks", "compose", "menu"];

/// A message as the page hands it over.
pub struct Outgoing {
    pub id: String,
    pub to: String,
    pub text: Option<String>,
    pub attachment: Option<Attachment>,
    pub caption: Option<String>,
    /// How long the page saw the text being typed before the send.
    pub typing_ms: u64,
}

struct Pairing {
    current_ref: String,
    ref_issued: Instant,
    last_polled: Instant,
    linked_token: Option<String>,
    /// Set once the page switched to "Link with phone number".
    code: Option<PhoneCode>,
}

struct PhoneCode {
    phone: String,
    code: String,
    issued: Instant,
}

struct Stored {
    /// Place in the one sequence of both directions' messages.
    seq: u64,
    message: ReceivedMessage,
    received: Instant,
    /// Receipts a test pushed (the recipient's phone got it, or read it).
    receipt: Option<DeliveryStatus>,
}

#[derive(Default)]
struct World {
    pairings: HashMap<String, Pairing>,
    /// By token: the secret the browser keeps, never shown by the control API.
    devices: HashMap<String, LinkedDevice>,
    not_on_whatsapp: HashSet<String>,
    messages: Vec<Stored>,
    incoming: Vec<Incoming>,
    /// The next place in the sequence shared by `messages` and `incoming`.
    next_seq: u64,
    /// (account, contact): the contact has written to the account, so a
    /// reach-out timelock does not stop the account from writing back.
    written_by: HashSet<(String, String)>,
    /// Accounts under WhatsApp's reach-out timelock, until when.
    timelocks: HashMap<String, DateTime<Utc>>,
    /// Accounts whose new-chat message cap the server reported.
    caps: HashMap<String, NewChatCap>,
    drifted: HashSet<String>,
    /// Accounts WhatsApp restricted, with the hours the notice names.
    restricted: HashMap<String, u32>,
    /// Messages are refused for now: they keep their clock, never a tick.
    stalled: bool,
}

/// A message a phone wrote to an account (a reply, or the first message of
/// a chat); unread until the account's page opens that chat.
#[derive(Debug, Clone)]
pub struct Incoming {
    seq: u64,
    pub id: String,
    pub account: String,
    pub from: String,
    pub text: String,
    pub at: DateTime<Utc>,
    pub read: bool,
}

/// One message of a chat, either direction.
pub enum ChatEntry {
    Ours(ReceivedMessage),
    Theirs(Incoming),
}

impl World {
    fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// `contact` writes `text` to `account`.
    fn push_incoming(&mut self, account: &str, contact: &str, text: &str) -> String {
        let id = format!("3EB0{}", random_hex(16).to_uppercase());
        let seq = self.next_seq();
        self.incoming.push(Incoming {
            seq,
            id: id.clone(),
            account: account.to_owned(),
            from: contact.to_owned(),
            text: text.to_owned(),
            at: Utc::now(),
            read: false,
        });
        self.written_by.insert((account.to_owned(), contact.to_owned()));
        id
    }

    fn timelocked(&self, account: &str) -> Option<DateTime<Utc>> {
        self.timelocks.get(account).copied().filter(|until| *until > Utc::now())
    }
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
            Pairing { current_ref: new_ref(), ref_issued: now, last_polled: now, linked_token: None, code: None },
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
        if let Some(code) = &mut pairing.code {
            // Like WhatsApp, the code is replaced by a new one every few minutes.
            if now.duration_since(code.issued) >= self.config.pairing_code_refresh {
                code.code = new_pairing_code();
                code.issued = now;
            }
            return Some(PairingView::Code { code: code.code.clone(), phone: code.phone.clone() });
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

    /// The login page switched to "Link with phone number" and submitted
    /// `phone`: it shows a pairing code from now on.
    pub fn request_code(&self, id: &str, phone: &str) -> Option<String> {
        let now = Instant::now();
        let mut world = self.world();
        let pairing = world.pairings.get_mut(id)?;
        pairing.last_polled = now;
        let code = new_pairing_code();
        pairing.code = Some(PhoneCode { phone: phone.to_owned(), code: code.clone(), issued: now });
        Some(code)
    }

    /// The phone of `phone` typed `code` (with or without its dash) under
    /// "Link with phone number".
    pub fn pair(&self, code: &str, phone: &str) -> Result<LinkedDevice, UnknownCode> {
        let typed: String = code.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_uppercase();
        let mut world = self.world();
        let refresh = self.config.pairing_code_refresh;
        let pairing = world
            .pairings
            .values_mut()
            .find(|p| {
                p.linked_token.is_none()
                    && p.code
                        .as_ref()
                        .is_some_and(|c| c.code == typed && c.phone == phone && c.issued.elapsed() < refresh)
            })
            .ok_or(UnknownCode)?;
        let token = random_hex(32);
        pairing.linked_token = Some(token.clone());
        let info = LinkedDevice { id: random_hex(8), account: phone.to_owned(), linked_at: Utc::now() };
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

    /// The device behind `token` logged itself out ("Log out" on its own
    /// page): it is unlinked, as from the phone. The device, if it was linked.
    pub fn log_out_device(&self, token: &str) -> Option<LinkedDevice> {
        self.world().devices.remove(token)
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
        if world.stalled {
            return Err(SendRefused::Stalled);
        }
        if world.restricted.contains_key(&device.account) {
            return Err(SendRefused::Restricted);
        }
        if world.not_on_whatsapp.contains(&outgoing.to) {
            return Err(SendRefused::NotOnWhatsApp);
        }
        if world.messages.iter().any(|m| m.message.id == outgoing.id) {
            return Ok(());
        }
        if world.timelocked(&device.account).is_some()
            && !world.written_by.contains(&(device.account.clone(), outgoing.to.clone()))
        {
            return Err(SendRefused::Timelocked);
        }
        // Every message to someone who has not written counts against the
        // cap, up to its total (WhatsApp stores min(used, total)).
        if !world.written_by.contains(&(device.account.clone(), outgoing.to.clone())) {
            if let Some(cap) = world.caps.get_mut(&device.account) {
                cap.used = (cap.used + 1).min(cap.total);
            }
        }
        tracing::info!(to = %outgoing.to, id = %outgoing.id, device = %device.id, "message received");
        let seq = world.next_seq();
        world.messages.push(Stored {
            seq,
            message: ReceivedMessage {
                id: outgoing.id,
                to: outgoing.to,
                from: device.account,
                device: device.id,
                text: outgoing.text,
                attachment: outgoing.attachment,
                caption: outgoing.caption,
                typing_ms: outgoing.typing_ms,
                sent_at: Utc::now(),
                status: DeliveryStatus::Sent,
            },
            received: Instant::now(),
            receipt: None,
        });
        Ok(())
    }

    /// Every message received, oldest first; only those to `to` when given.
    pub fn messages(&self, to: Option<&str>) -> Vec<ReceivedMessage> {
        self.select(|m| to.is_none_or(|phone| m.to == phone))
    }

    /// The conversation of `account` with `phone`, both directions in time
    /// order; opening the chat reads the other side's messages, as WhatsApp
    /// does.
    pub fn open_chat(&self, account: &str, phone: &str) -> Vec<ChatEntry> {
        let ours = self.select_seq(|m| m.from == account && m.to == phone);
        let mut world = self.world();
        let mut entries: Vec<(u64, ChatEntry)> =
            ours.into_iter().map(|(seq, message)| (seq, ChatEntry::Ours(message))).collect();
        for incoming in world.incoming.iter_mut().filter(|m| m.account == account && m.from == phone) {
            incoming.read = true;
            entries.push((incoming.seq, ChatEntry::Theirs(incoming.clone())));
        }
        entries.sort_by_key(|(seq, _)| *seq);
        entries.into_iter().map(|(_, entry)| entry).collect()
    }

    /// The chats of `account` (phones it wrote to or that wrote to it), the
    /// one with the latest message first.
    pub fn chats(&self, account: &str) -> Vec<String> {
        let world = self.world();
        let mut latest: Vec<(u64, &str)> = world
            .messages
            .iter()
            .filter(|m| m.message.from == account)
            .map(|m| (m.seq, m.message.to.as_str()))
            .chain(world.incoming.iter().filter(|m| m.account == account).map(|m| (m.seq, m.from.as_str())))
            .collect();
        latest.sort_by_key(|m| std::cmp::Reverse(m.0));
        let mut phones: Vec<String> = Vec::new();
        for (_, phone) in latest {
            if !phones.iter().any(|p| p == phone) {
                phones.push(phone.to_owned());
            }
        }
        phones
    }

    /// The phone of `to` reports `status` (delivered or read) for every
    /// message it got; returns how many changed. Receipts never go back.
    pub fn push_receipts(&self, to: &str, status: DeliveryStatus) -> usize {
        let mut world = self.world();
        let mut changed = 0;
        for stored in world.messages.iter_mut().filter(|m| m.message.to == to) {
            if stored.receipt.is_none_or(|r| r < status) {
                stored.receipt = Some(status);
                changed += 1;
            }
        }
        changed
    }

    /// `phone` writes `text` back to every account that has written to it;
    /// returns how many accounts got it.
    pub fn reply(&self, phone: &str, text: &str) -> usize {
        let mut world = self.world();
        let mut accounts: Vec<String> = Vec::new();
        for stored in world.messages.iter().filter(|m| m.message.to == phone) {
            if !accounts.contains(&stored.message.from) {
                accounts.push(stored.message.from.clone());
            }
        }
        for account in &accounts {
            world.push_incoming(account, phone, text);
        }
        accounts.len()
    }

    /// `from` writes `text` to `account` first (or again): the chat shows up
    /// on the account's side, unread. Returns the message id.
    pub fn inbound(&self, from: &str, account: &str, text: &str) -> String {
        self.world().push_incoming(account, from, text)
    }

    /// Has `contact` ever written to `account`?
    pub fn has_written(&self, account: &str, contact: &str) -> bool {
        self.world().written_by.contains(&(account.to_owned(), contact.to_owned()))
    }

    /// WhatsApp's reach-out timelock on `account` until `until`; `None` or a
    /// time already past lifts it. Returns the timelock that holds now.
    pub fn set_timelock(&self, account: &str, until: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        let mut world = self.world();
        match until.filter(|until| *until > Utc::now()) {
            Some(until) => world.timelocks.insert(account.to_owned(), until),
            None => world.timelocks.remove(account),
        };
        world.timelocked(account)
    }

    /// Until when `account` may not start new chats, while that holds.
    pub fn timelock(&self, account: &str) -> Option<DateTime<Utc>> {
        self.world().timelocked(account)
    }

    /// WhatsApp's server reports `account`'s new-chat message cap; from now
    /// on each message to someone who has not written to it counts.
    pub fn set_new_chat_cap(&self, account: &str, cap: NewChatCap) {
        self.world().caps.insert(account.to_owned(), cap);
    }

    /// `account`'s new-chat message cap, once the server reported one.
    pub fn new_chat_cap(&self, account: &str) -> Option<NewChatCap> {
        self.world().caps.get(account).copied()
    }

    /// How many unread replies each chat of `account` holds (chats with none
    /// are left out).
    pub fn unread(&self, account: &str) -> Vec<(String, usize)> {
        let world = self.world();
        let mut counts: Vec<(String, usize)> = Vec::new();
        for reply in world.incoming.iter().filter(|r| r.account == account && !r.read) {
            match counts.iter_mut().find(|(phone, _)| *phone == reply.from) {
                Some((_, count)) => *count += 1,
                None => counts.push((reply.from.clone(), 1)),
            }
        }
        counts
    }

    /// WhatsApp restricts `account` for `hours` (0: lifts it): its pages show
    /// the notice and its messages are refused.
    pub fn restrict(&self, account: &str, hours: u32) {
        let mut world = self.world();
        if hours == 0 {
            world.restricted.remove(account);
        } else {
            world.restricted.insert(account.to_owned(), hours);
        }
    }

    /// While stalled, every message keeps its clock (never confirmed).
    pub fn stall(&self, on: bool) {
        self.world().stalled = on;
    }

    /// The hours of `account`'s restriction, if restricted.
    pub fn restriction(&self, account: &str) -> Option<u32> {
        self.world().restricted.get(account).copied()
    }

    /// From now on the page draws `hook` under names the driver does not know.
    pub fn drift(&self, hook: &str) {
        self.world().drifted.insert(hook.to_owned());
    }

    /// The hooks drawn under unknown names, sorted.
    pub fn drifted(&self) -> Vec<String> {
        let mut hooks: Vec<String> = self.world().drifted.iter().cloned().collect();
        hooks.sort();
        hooks
    }

    pub fn config(&self) -> &SimulatorConfig {
        &self.config
    }

    pub fn reset(&self) {
        *self.world() = World::default();
    }

    fn select(&self, keep: impl Fn(&ReceivedMessage) -> bool) -> Vec<ReceivedMessage> {
        self.select_seq(keep).into_iter().map(|(_, message)| message).collect()
    }

    /// The messages kept, with their place in the sequence and their status now.
    fn select_seq(&self, keep: impl Fn(&ReceivedMessage) -> bool) -> Vec<(u64, ReceivedMessage)> {
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
                if let Some(receipt) = m.receipt {
                    message.status = message.status.max(receipt);
                }
                (m.seq, message)
            })
            .collect()
    }
}

/// A QR payload shaped like WhatsApp's: `ref,noiseKey,identityKey,advSecret`,
/// each random and base64 (so it contains `+`, `/` and `=` like the real one).
fn new_ref() -> String {
    format!("2@{},{},{},{}", random_b64(48), random_b64(32), random_b64(32), random_b64(32))
}

/// WhatsApp's pairing codes: 8 characters of an alphabet without the
/// look-alikes (no 0/O, 1/I), shown as `XXXX-XXXX`.
fn new_pairing_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..8).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
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
    use crate::model::CappingStatus;

    fn state(qr_refresh_ms: u64) -> State {
        State::new(SimulatorConfig {
            qr_refresh: Duration::from_millis(qr_refresh_ms),
            delivery_delay: Duration::from_millis(50),
            ..SimulatorConfig::default()
        })
    }

    fn qr(state: &State, pairing: &str) -> String {
        match state.poll_pairing(pairing) {
            Some(PairingView::Qr(qr)) => qr,
            _ => panic!("expected a QR"),
        }
    }

    fn text(id: &str, to: &str) -> Outgoing {
        Outgoing {
            id: id.into(),
            to: to.into(),
            text: Some("hi".into()),
            attachment: None,
            caption: None,
            typing_ms: 0,
        }
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
    fn a_restricted_account_and_a_stalled_server_take_no_messages_until_lifted() {
        let state = state(20_000);
        let pairing = state.new_pairing();
        state.scan(&qr(&state, &pairing), "989000000001").unwrap();
        let Some(PairingView::Linked(token)) = state.poll_pairing(&pairing) else { panic!("linked") };

        state.restrict("989000000001", 24);
        assert_eq!(state.restriction("989000000001"), Some(24));
        assert!(matches!(state.receive(&token, text("3EB0D", "989121234567")), Err(SendRefused::Restricted)));
        state.restrict("989000000001", 0);
        assert_eq!(state.restriction("989000000001"), None);
        state.stall(true);
        assert!(matches!(state.receive(&token, text("3EB0E", "989121234567")), Err(SendRefused::Stalled)));
        state.stall(false);
        state.receive(&token, text("3EB0F", "989121234567")).unwrap();
        assert_eq!(state.messages(None).len(), 1);
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

    #[test]
    fn a_device_that_logs_itself_out_is_unlinked_and_only_that_one() {
        let state = state(20_000);
        let first = state.new_pairing();
        let leaving = state.scan(&qr(&state, &first), "989000000001").unwrap();
        let Some(PairingView::Linked(token)) = state.poll_pairing(&first) else { panic!("linked") };
        let second = state.new_pairing();
        let staying = state.scan(&qr(&state, &second), "989000000001").unwrap();

        assert_eq!(state.log_out_device(&token), Some(leaving));
        assert_eq!(state.devices(), vec![staying], "the phone lists only the other device");
        assert!(state.account_of(&token).is_none());
        assert_eq!(state.log_out_device(&token), None, "a second log out finds nothing");
    }

    #[test]
    fn a_reply_is_unread_until_its_chat_opens() {
        let state = state(20_000);
        let pairing = state.new_pairing();
        state.scan(&qr(&state, &pairing), "989000000001").unwrap();
        let Some(PairingView::Linked(token)) = state.poll_pairing(&pairing) else { panic!("linked") };
        assert_eq!(state.reply("989121234567", "hello?"), 0, "nobody wrote to that phone");

        state.receive(&token, text("3EB0A", "989121234567")).unwrap();
        assert_eq!(state.reply("989121234567", "لغو"), 1);
        assert_eq!(state.reply("989121234567", "stop"), 1);
        assert_eq!(state.unread("989000000001"), vec![("989121234567".to_string(), 2)]);
        assert!(state.unread("989000000002").is_empty(), "another account got nothing");

        let shown: Vec<String> = state
            .open_chat("989000000001", "989121234567")
            .into_iter()
            .map(|entry| match entry {
                ChatEntry::Ours(m) => format!("> {}", m.text.unwrap_or_default()),
                ChatEntry::Theirs(r) => r.text,
            })
            .collect();
        assert_eq!(shown, ["> hi", "لغو", "stop"]);
        assert!(state.unread("989000000001").is_empty(), "opening the chat read them");
    }

    #[test]
    fn a_contact_who_wrote_first_shows_before_our_answer_and_lists_the_chat() {
        let state = state(20_000);
        let pairing = state.new_pairing();
        state.scan(&qr(&state, &pairing), "989000000001").unwrap();
        let Some(PairingView::Linked(token)) = state.poll_pairing(&pairing) else { panic!("linked") };

        state.receive(&token, text("3EB0A", "989120000000")).unwrap();
        state.inbound("989121234567", "989000000001", "salam");
        assert!(state.has_written("989000000001", "989121234567"));
        assert!(!state.has_written("989000000001", "989120000000"));
        assert_eq!(state.chats("989000000001"), ["989121234567", "989120000000"], "latest first");
        assert_eq!(state.unread("989000000001"), vec![("989121234567".to_string(), 1)]);

        state.receive(&token, text("3EB0B", "989121234567")).unwrap();
        let order: Vec<bool> = state
            .open_chat("989000000001", "989121234567")
            .iter()
            .map(|entry| matches!(entry, ChatEntry::Ours(_)))
            .collect();
        assert_eq!(order, [false, true], "their first message, then our answer");
    }

    #[test]
    fn a_timelock_stops_new_chats_only_until_it_ends() {
        let state = state(20_000);
        let pairing = state.new_pairing();
        state.scan(&qr(&state, &pairing), "989000000001").unwrap();
        let Some(PairingView::Linked(token)) = state.poll_pairing(&pairing) else { panic!("linked") };
        state.inbound("989121234567", "989000000001", "hi, is this the shop?");

        let until = Utc::now() + chrono::Duration::hours(3);
        assert_eq!(state.set_timelock("989000000001", Some(until)), Some(until));
        assert!(matches!(state.receive(&token, text("3EB0A", "989120000000")), Err(SendRefused::Timelocked)));
        state.receive(&token, text("3EB0B", "989121234567")).expect("a contact who wrote first gets an answer");
        assert_eq!(state.messages(None).len(), 1, "the refused message is not recorded");

        let past = Utc::now() - chrono::Duration::seconds(1);
        assert_eq!(state.set_timelock("989000000001", Some(past)), None, "a past end lifts it");
        state.receive(&token, text("3EB0C", "989120000000")).unwrap();
        state.set_timelock("989000000001", Some(until));
        state.reset();
        assert_eq!(state.timelock("989000000001"), None, "reset forgets it");
    }

    #[test]
    fn a_message_to_someone_who_never_wrote_counts_against_the_cap_up_to_its_total() {
        let state = state(20_000);
        let pairing = state.new_pairing();
        state.scan(&qr(&state, &pairing), "989000000001").unwrap();
        let Some(PairingView::Linked(token)) = state.poll_pairing(&pairing) else { panic!("linked") };
        state.receive(&token, text("3EB0A", "989120000000")).unwrap();
        assert_eq!(state.new_chat_cap("989000000001"), None, "no cap until the server reports one");

        let ends = Utc::now() + chrono::Duration::days(20);
        let cap = NewChatCap { status: CappingStatus::FirstWarning, used: 18, total: 20, cycle_ends_at: ends };
        state.set_new_chat_cap("989000000001", cap);
        state.inbound("989121234567", "989000000001", "hi");
        state.receive(&token, text("3EB0B", "989121234567")).unwrap();
        assert_eq!(state.new_chat_cap("989000000001").unwrap().used, 18, "an answer to someone who wrote is free");
        state.receive(&token, text("3EB0C", "989120000000")).unwrap();
        state.receive(&token, text("3EB0C", "989120000000")).unwrap();
        assert_eq!(
            state.new_chat_cap("989000000001").unwrap().used,
            19,
            "once per message, again to the same stranger"
        );
        state.receive(&token, text("3EB0D", "989120000000")).unwrap();
        state.receive(&token, text("3EB0E", "989120000001")).unwrap();
        assert_eq!(state.new_chat_cap("989000000001"), Some(NewChatCap { used: 20, ..cap }), "never past the total");
        state.reset();
        assert_eq!(state.new_chat_cap("989000000001"), None, "reset forgets it");
    }

    #[test]
    fn receipts_move_forward_only() {
        let state = state(20_000);
        let pairing = state.new_pairing();
        state.scan(&qr(&state, &pairing), "989000000001").unwrap();
        let Some(PairingView::Linked(token)) = state.poll_pairing(&pairing) else { panic!("linked") };
        state.receive(&token, text("3EB0A", "989121234567")).unwrap();
        assert_eq!(state.push_receipts("989121234567", DeliveryStatus::Read), 1);
        assert_eq!(state.push_receipts("989121234567", DeliveryStatus::Delivered), 0);
        assert_eq!(state.messages(None)[0].status, DeliveryStatus::Read);
    }

    #[test]
    fn a_pairing_code_links_only_the_phone_it_was_asked_for() {
        let state = state(20_000);
        let pairing = state.new_pairing();
        let code = state.request_code(&pairing, "989121234567").unwrap();
        assert_eq!(code.len(), 8);
        let Some(PairingView::Code { code: shown, phone }) = state.poll_pairing(&pairing) else { panic!("a code") };
        assert_eq!((shown.as_str(), phone.as_str()), (code.as_str(), "989121234567"));
        assert!(state.pair(&code, "989120000000").is_err(), "another phone cannot use it");
        let dashed = format!("{}-{}", &code[..4], &code[4..]);
        let device = state.pair(&dashed.to_lowercase(), "989121234567").unwrap();
        assert_eq!(device.account, "989121234567");
        assert!(matches!(state.poll_pairing(&pairing), Some(PairingView::Linked(_))));
    }
}
