//! The governor's rules applied to MySQL, in two short steps per message.
//! A send is *claimed* before the message leaves — one transaction with the
//! number's account row locked (`SELECT … FOR UPDATE`, its recent sends in
//! the same statement): the next recipient is read with everything the
//! message needs, the per-recipient rules and the number's caps are checked,
//! and the send is recorded with the recipient marked SENDING under the
//! session lease — so two campaigns or two senders of one number can never
//! both take the last place under a cap. After the message its outcome is
//! *recorded* in one statement (the recipient, the campaign's counters, the
//! send, the user's quota), and after a failure the breaker looks at the
//! number's latest outcomes.

use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rand::thread_rng;

use super::{
    breaker::{self, Outcome, Trip},
    caps::{self, Decision, NumberState, WaitReason},
    cold::{self, ColdState, ContactKind},
    pacing::{self, Streak},
    recipients::{self, Verdict},
    settings::GovernorSettings,
    window::SendWindow,
};
use crate::{
    db::retry_transaction,
    domain::{Phone, StoredRecipientStatus},
    error::ApiError,
    repo::{
        deliveries::{self, NextRecipient, Pacing},
        whatsapp_accounts,
    },
};

/// What the governor says to a campaign about to send on a number.
#[derive(Debug, Clone)]
pub enum Claim {
    /// Send to `recipient` now (at `phone`, a cold or warm contact); record
    /// the outcome with the ticket.
    Go { ticket: Ticket, recipient: Box<NextRecipient>, phone: Phone, contact: ContactKind },
    /// The next recipient is never messaged (opted out, known unreachable):
    /// FAILED with `reason`; the next one can be asked for at once.
    Skipped { recipient_id: i64, reason: String },
    /// Nobody is claimable now (all handled, or held back by the timelock).
    Nobody,
    /// A rule the user sees (caps, warm-up, sending hours).
    Wait { until: DateTime<Utc>, reason: WaitReason },
    /// Another campaign of this number just sent: its pause runs until then.
    Hold { until: DateTime<Utc> },
    /// WhatsApp restricted the number.
    Restricted { until: DateTime<Utc> },
    /// The claim did not hold: the session's lease is gone, or the campaign
    /// no longer sends (paused, cancelled, detached). Nothing changed.
    Lost,
}

/// A reserved send, settled by [`record`] or given back by [`give_back`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    pub send_id: i64,
    /// The pause after this message (jitter and breaks included).
    pub pause: Duration,
    pub long_break: bool,
    /// Where the breaker last tripped (it reads the outcomes after it).
    breaker_after_send: i64,
}

/// The campaign-side facts the rules need.
#[derive(Debug, Clone, Copy)]
pub struct CampaignRules<'a> {
    pub campaign_id: i64,
    pub window: Option<&'a SendWindow>,
    pub timezone: Tz,
    /// The campaign's interval: the floor of every pause.
    pub floor: Duration,
}

/// Who claims: the sender holding the number's session lease, and its fencing token.
pub type Lease<'a> = (&'a str, i64);

fn chrono(duration: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(duration).unwrap_or(chrono::TimeDelta::MAX)
}

#[tracing::instrument(skip_all, fields(account.id = account_id, campaign.id = rules.campaign_id))]
pub async fn claim(
    db: &sqlx::MySqlPool,
    account_id: i64,
    rules: CampaignRules<'_>,
    lease: Lease<'_>,
    s: &GovernorSettings,
) -> Result<Claim, sqlx::Error> {
    let mut tx = db.begin().await?;
    // A bound read before the lock may take in a send a moment older than
    // a day: dropped below, once the clock is read under the lock.
    let since = Utc::now() - chrono(s.day);
    let Some((account, mut sends)) = whatsapp_accounts::lock_with_recent_sends(&mut tx, account_id, since).await?
    else {
        return Err(sqlx::Error::RowNotFound);
    };
    // The clock is read under the lock, so claims are ordered in time.
    let now = Utc::now();
    sends.all.retain(|at| *at > now - chrono(s.day));
    sends.cold.retain(|at| *at > now - chrono(s.day));
    if let Some(until) = account.restricted_until.filter(|until| *until > now) {
        return Ok(Claim::Restricted { until });
    }
    let unreachable_after = recipients::unreachable_after(now);
    let Some(recipient) = deliveries::next_recipient(&mut *tx, rules.campaign_id, unreachable_after).await? else {
        return Ok(Claim::Nobody);
    };
    let (contact, phone) = match recipients::verdict(&recipient) {
        Verdict::Send(contact, phone) => (contact, phone),
        Verdict::Skip { reason, tried } => {
            if !deliveries::fail_unsent(&mut tx, recipient.id, lease, &reason, tried).await? {
                return Ok(Claim::Lost);
            }
            tx.commit().await?;
            return Ok(Claim::Skipped { recipient_id: recipient.id, reason });
        }
    };
    let warm_up_since = caps::warm_up_since(now, account.warm_up_since, account.last_sent_at, s);
    let number = NumberState { sends: &sends.all, warm_up_since };
    let general = match caps::decide(now, number, rules.window.map(|w| (w, rules.timezone)), s) {
        Decision::Wait { until, reason } => Some((until, reason)),
        Decision::Send => None,
    };
    let is_cold = contact == ContactKind::Cold;
    let cold_rule = if is_cold {
        let number = ColdState {
            cold_sends: &sends.cold,
            first_linked: account.first_linked_at,
            timelock_until: account.timelock_until,
            quota: account.whatsapp_quota(),
        };
        cold::decide_cold(now, number, s)
    } else {
        None
    };
    // Both hold: the later opening counts; on a tie the cold rule, which
    // says more (a new number's day-one cap and cold budget are both 20).
    let wait = match (general, cold_rule) {
        (Some(general), Some(cold)) => Some(if general.0 > cold.0 { general } else { cold }),
        (one, other) => one.or(other),
    };
    if let Some((until, reason)) = wait {
        return Ok(Claim::Wait { until, reason });
    }
    if let Some(until) = account.next_send_at.filter(|until| *until > now) {
        return Ok(Claim::Hold { until });
    }
    let streak = Streak { count: account.streak.max(0) as u32, target: account.streak_target.max(0) as u32 };
    let pause = pacing::pause_after(rules.floor, streak, s, &mut thread_rng());
    let send_id = whatsapp_accounts::insert_send(&mut tx, account_id, rules.campaign_id, now, is_cold).await?;
    let pacing = Pacing {
        at: now,
        warm_up_since,
        streak: (pause.streak.count, pause.streak.target),
        next_send_at: now + chrono(pause.length),
    };
    if !deliveries::claim(&mut tx, rules.campaign_id, recipient.id, lease, &pacing).await? {
        // Dropped with the transaction: the send, too.
        return Ok(Claim::Lost);
    }
    tx.commit().await?;
    let ticket = Ticket {
        send_id,
        pause: pause.length,
        long_break: pause.long_break,
        breaker_after_send: account.breaker_after_send,
    };
    Ok(Claim::Go { ticket, recipient: Box::new(recipient), phone, contact })
}

/// How a claimed send ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled<'a> {
    Sent,
    /// Handed to WhatsApp, never confirmed: UNKNOWN, counted, as it may have left.
    Unconfirmed(&'a str),
    /// Certainly not sent, but tried (a timeout before send, a bad file).
    Failed(&'a str),
    NotOnWhatsApp(&'a str),
}

/// Record how a claimed send ended: the recipient, the campaign's counters,
/// the send and (when sent) the user's quota in one statement; after a
/// failure, the breaker's trip if this outcome tripped it (recorded on the
/// account). A success never trips it.
pub async fn record(
    db: &sqlx::MySqlPool,
    account_id: i64,
    (campaign_id, recipient_id): (i64, i64),
    ticket: Ticket,
    outcome: Settled<'_>,
) -> Result<Option<Trip>, ApiError> {
    let (status, error, stored) = match outcome {
        Settled::Sent => {
            let recorded =
                retry_transaction(|| deliveries::record_sent(db, campaign_id, recipient_id, ticket.send_id)).await?;
            if !recorded {
                return Err(ApiError::BusinessRule {
                    code: "QUOTA_NOT_RESERVED",
                    message: "The sent message could not be counted: the campaign has no reserved messages left, \
                              or its recipient was settled meanwhile"
                        .into(),
                });
            }
            return Ok(None);
        }
        Settled::Unconfirmed(error) => (StoredRecipientStatus::Unknown, error, "UNCONFIRMED"),
        Settled::Failed(error) => (StoredRecipientStatus::Failed, error, "FAILED"),
        Settled::NotOnWhatsApp(error) => (StoredRecipientStatus::Failed, error, "NOT_ON_WHATSAPP"),
    };
    deliveries::record_unsent(db, recipient_id, ticket.send_id, status, error, stored).await?;
    let latest =
        whatsapp_accounts::latest_outcomes(db, account_id, ticket.breaker_after_send, breaker::RECENT as i64).await?;
    let outcomes: Vec<Outcome> = latest
        .iter()
        .map(|(_, outcome)| match outcome.as_str() {
            "SENT" => Outcome::Sent,
            "NOT_ON_WHATSAPP" => Outcome::NotOnWhatsApp,
            _ => Outcome::Failed,
        })
        .collect();
    let Some(trip) = breaker::check(&outcomes) else { return Ok(None) };
    let last = latest.first().map(|(id, _)| *id).unwrap_or(ticket.send_id);
    whatsapp_accounts::record_trip(db, account_id, &trip.reason(), last).await?;
    Ok(Some(trip))
}

/// Where a recipient whose message never left goes back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Back {
    /// In line at once.
    InLine,
    /// In line, not before then (WhatsApp's timelock closed their chat).
    After(DateTime<Utc>),
}

/// A claimed send that never happened (nothing was typed): the recipient
/// back in line, the send forgotten.
pub async fn give_back(db: &sqlx::MySqlPool, recipient_id: i64, ticket: Ticket, back: Back) -> Result<(), sqlx::Error> {
    match back {
        Back::InLine => deliveries::unclaim(db, recipient_id).await?,
        Back::After(until) => deliveries::defer(db, recipient_id, until).await?,
    }
    whatsapp_accounts::cancel_send(db, ticket.send_id).await
}
