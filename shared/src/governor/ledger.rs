//! The governor's rules applied to MySQL. A send is *reserved* before the
//! message leaves — in one transaction with the number's account row locked
//! (`SELECT … FOR UPDATE`): the caps are checked against the recorded sends
//! and the new send is recorded, so two campaigns or two senders of one
//! number can never both take the last place under a cap. After the
//! message the send is *settled* with its outcome, and the breaker looks at
//! the number's latest outcomes.

use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rand::thread_rng;

use super::{
    breaker::{self, Outcome, Trip},
    caps::{self, Decision, NumberState, WaitReason},
    cold::{self, ColdState, ContactKind},
    pacing::{self, Streak},
    settings::GovernorSettings,
    window::SendWindow,
};
use crate::repo::whatsapp_accounts;

/// What the governor says to a campaign about to send on a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Send now; `send_id` is settled afterwards, `pause` is how long to
    /// wait after the message.
    Go { send_id: i64, pause: Duration, long_break: bool },
    /// A rule the user sees (caps, warm-up, sending hours).
    Wait { until: DateTime<Utc>, reason: WaitReason },
    /// Another campaign of this number just sent: its pause runs until then.
    Hold { until: DateTime<Utc> },
    /// WhatsApp restricted the number.
    Restricted { until: DateTime<Utc> },
}

/// The campaign-side facts the rules need.
#[derive(Debug, Clone, Copy)]
pub struct CampaignRules<'a> {
    pub campaign_id: i64,
    pub window: Option<&'a SendWindow>,
    pub timezone: Tz,
    /// The campaign's interval: the floor of every pause.
    pub floor: Duration,
    /// Whether the next recipient ever wrote to the number.
    pub contact: ContactKind,
}

fn chrono(duration: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(duration).unwrap_or(chrono::TimeDelta::MAX)
}

#[tracing::instrument(skip_all, fields(account.id = account_id, campaign.id = rules.campaign_id))]
pub async fn reserve(
    db: &sqlx::MySqlPool,
    account_id: i64,
    rules: CampaignRules<'_>,
    s: &GovernorSettings,
) -> Result<Reservation, sqlx::Error> {
    let mut tx = db.begin().await?;
    let Some(account) = whatsapp_accounts::lock(&mut tx, account_id).await? else {
        return Err(sqlx::Error::RowNotFound);
    };
    // The clock is read under the lock, so reservations are ordered in time.
    let now = Utc::now();
    if let Some(until) = account.restricted_until.filter(|until| *until > now) {
        return Ok(Reservation::Restricted { until });
    }
    let sends = whatsapp_accounts::sends_since(&mut *tx, account_id, now - chrono(s.day)).await?;
    let warm_up_since = caps::warm_up_since(now, account.warm_up_since, account.last_sent_at, s);
    let number = NumberState { sends: &sends, warm_up_since };
    let general = match caps::decide(now, number, rules.window.map(|w| (w, rules.timezone)), s) {
        Decision::Wait { until, reason } => Some((until, reason)),
        Decision::Send => None,
    };
    let is_cold = rules.contact == ContactKind::Cold;
    let cold_rule = if is_cold {
        let cold_sends = whatsapp_accounts::cold_sends_since(&mut *tx, account_id, now - chrono(s.day)).await?;
        let number = ColdState {
            cold_sends: &cold_sends,
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
        return Ok(Reservation::Wait { until, reason });
    }
    if let Some(until) = account.next_send_at.filter(|until| *until > now) {
        return Ok(Reservation::Hold { until });
    }
    let streak = Streak { count: account.streak.max(0) as u32, target: account.streak_target.max(0) as u32 };
    let pause = pacing::pause_after(rules.floor, streak, s, &mut thread_rng());
    let send_id = whatsapp_accounts::insert_send(&mut tx, account_id, rules.campaign_id, now, is_cold).await?;
    whatsapp_accounts::record_reservation(
        &mut tx,
        account_id,
        now,
        warm_up_since,
        (pause.streak.count, pause.streak.target),
        now + chrono(pause.length),
    )
    .await?;
    tx.commit().await?;
    Ok(Reservation::Go { send_id, pause: pause.length, long_break: pause.long_break })
}

/// How a reserved send ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Sent,
    /// Handed to WhatsApp, never confirmed: counted, as it may have left.
    Unconfirmed,
    /// Certainly not sent, but tried (a timeout before send, a bad file).
    Failed,
    NotOnWhatsApp,
}

/// Settle a reserved send; the breaker's trip, if this outcome tripped it
/// (recorded on the account).
pub async fn settle(
    db: &sqlx::MySqlPool,
    account_id: i64,
    send_id: i64,
    outcome: Settled,
) -> Result<Option<Trip>, sqlx::Error> {
    let stored = match outcome {
        Settled::Sent => "SENT",
        Settled::Unconfirmed => "UNCONFIRMED",
        Settled::Failed => "FAILED",
        Settled::NotOnWhatsApp => "NOT_ON_WHATSAPP",
    };
    whatsapp_accounts::settle_send(db, send_id, stored).await?;
    let Some(account) = whatsapp_accounts::find(db, account_id).await? else { return Ok(None) };
    let latest =
        whatsapp_accounts::latest_outcomes(db, account_id, account.breaker_after_send, breaker::RECENT as i64).await?;
    let outcomes: Vec<Outcome> = latest
        .iter()
        .map(|(_, outcome)| match outcome.as_str() {
            "SENT" => Outcome::Sent,
            "NOT_ON_WHATSAPP" => Outcome::NotOnWhatsApp,
            _ => Outcome::Failed,
        })
        .collect();
    let Some(trip) = breaker::check(&outcomes) else { return Ok(None) };
    let last = latest.first().map(|(id, _)| *id).unwrap_or(send_id);
    whatsapp_accounts::record_trip(db, account_id, &trip.reason(), last).await?;
    Ok(Some(trip))
}

/// A reservation that was not used (nothing was typed).
pub async fn cancel(db: &sqlx::MySqlPool, send_id: i64) -> Result<(), sqlx::Error> {
    whatsapp_accounts::cancel_send(db, send_id).await
}
