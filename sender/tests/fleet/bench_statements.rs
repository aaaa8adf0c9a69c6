//! How many SQL statements one message costs: a 50-recipient text
//! campaign through the real sender, Chromium and the simulator, with
//! every statement the sender sends counted from sqlx's own statement log
//! (`sqlx::query` at debug, as JSON) between the start and the
//! completion. The fleet's periodic upkeep (lease and sender heartbeats,
//! the orphan scan, the busy count) runs whatever the campaign does and is
//! counted apart; so are transaction brackets (`BEGIN`, `COMMIT`,
//! `ROLLBACK`). Prints every statement shape with its count. The budget
//! holds the send path proper (the turn's read, the claim, the outcome);
//! the double ticks and the lookups of who follows the campaign are counted
//! in the figure but not held to it, as how many there are depends on
//! timing (a tick seen before the next message or not; progress pushes
//! within the audience's 2 s or not). `infra/dev.sh bench-statements`
//! prints the table alone.

use std::{collections::BTreeMap, time::Duration};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::{
    campaign::connect_whatsapp,
    governor::{start, text_campaign},
    stack::{events_until, Stack},
};

const RECIPIENTS: usize = 50;

/// At most this many statements per message, upkeep, brackets, ticks and
/// audience lookups aside.
const BUDGET: f64 = 8.0;

/// Statements the fleet runs on a timer, whatever is being sent.
fn is_upkeep(statement: &str) -> bool {
    let s = statement.trim_start().to_ascii_uppercase();
    s.starts_with("UPDATE WHATSAPP_SESSIONS SET EXPIRES_AT")
        || s.starts_with("UPDATE SENDERS")
        || s.starts_with("INSERT INTO SENDERS")
        // The orphan scan (`session_leases::orphaned`).
        || (s.starts_with("SELECT A.ID FROM WHATSAPP_ACCOUNTS A") && s.contains("GROUP BY A.ID"))
}

/// Statements whose number per message depends on timing: the double and
/// blue ticks, and who follows the campaign (remembered 2 s for progress).
fn is_timing_dependent(statement: &str) -> bool {
    let s = statement.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_uppercase();
    s.contains("SET R.STATUS = 'DELIVERED'")
        || s.starts_with("UPDATE RECIPIENTS SET READ_AT")
        || s.starts_with("SELECT C.CONNECTION_ID FROM WS_SUBSCRIPTIONS")
}

fn is_bracket(statement: &str) -> bool {
    matches!(statement.trim().to_ascii_uppercase().as_str(), "BEGIN" | "COMMIT" | "ROLLBACK")
        || statement.trim_start().to_ascii_uppercase().starts_with("SAVEPOINT")
        || statement.trim_start().to_ascii_uppercase().starts_with("RELEASE SAVEPOINT")
}

/// One line per statement shape: its first 110 characters, whitespace folded.
fn shape(statement: &str) -> String {
    let folded: String = statement.split_whitespace().collect::<Vec<_>>().join(" ");
    folded.chars().take(110).collect()
}

/// The statements the sender logged between `from` and `to`.
fn statements(log: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    log.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|event| {
            let at = event["timestamp"].as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok());
            at.is_some_and(|at| at >= from && at <= to)
        })
        .filter(|event| event.get("db.statement").is_some())
        // sqlx logs a transaction's brackets with an empty statement and
        // the bracket as the summary.
        .map(|event| match event["db.statement"].as_str().filter(|s| !s.trim().is_empty()) {
            Some(statement) => statement.to_owned(),
            None => event["summary"].as_str().unwrap_or("BEGIN").to_owned(),
        })
        .collect()
}

pub struct Figures {
    /// Everything on the send path, per message.
    pub per_message: f64,
    /// The same without the timing-dependent statements.
    pub held: f64,
    pub upkeep: usize,
    pub brackets: usize,
}

pub async fn count_statements() -> Figures {
    let mut stack = Stack::start().await;
    stack.set_sender_env("LOG_FORMAT", "json");
    stack.set_sender_env("RUST_LOG", "info,sender=debug,sqlx::query=debug");
    stack.set_sender_env("SEND_INTERVAL_OVERRIDE_MS", "150");
    stack.set_sender_env("GOVERNOR_WARM_UP_RAMP", "none");
    let sender = stack.spawn_sender("counted");
    let token = stack.customer_with_package().await;
    let (id, _) = text_campaign(&stack, &token, 300_000, RECIPIENTS, json!({})).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    // The login settles (the number bound, the chats read) before counting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let from = Utc::now();
    start(&stack, &token, id).await;
    events_until(&mut socket, "completion_update", Duration::from_secs(600)).await;
    let to = Utc::now();
    let sent = stack.simulator.control().messages(None).await.unwrap().len();
    assert_eq!(sent, RECIPIENTS, "every recipient got one message");
    // Let the last lines reach the log file.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let logged = statements(&stack.sender_log(&sender), from, to);
    assert!(!logged.is_empty(), "the sender logged its statements (sqlx::query at debug)");

    let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
    let (mut upkeep, mut brackets, mut send_path, mut timed) = (0, 0, 0, 0);
    for statement in &logged {
        if is_upkeep(statement) {
            upkeep += 1;
        } else if is_bracket(statement) {
            brackets += 1;
        } else {
            send_path += 1;
            timed += usize::from(is_timing_dependent(statement));
            *shapes.entry(shape(statement)).or_default() += 1;
        }
    }
    let per_message = send_path as f64 / RECIPIENTS as f64;
    let held = (send_path - timed) as f64 / RECIPIENTS as f64;
    println!(
        "statements bench: {RECIPIENTS} messages, {} statements in all: {send_path} on the send path \
         ({per_message:.1} per message; {held:.1} without ticks and audience lookups), \
         {brackets} transaction brackets, {upkeep} upkeep",
        logged.len()
    );
    let mut by_count: Vec<_> = shapes.into_iter().collect();
    by_count.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    for (shape, count) in by_count {
        println!("  {:>5.2}/msg  {count:>4}  {shape}", count as f64 / RECIPIENTS as f64);
    }
    Figures { per_message, held, upkeep, brackets }
}

#[tokio::test]
async fn a_message_costs_at_most_eight_statements() {
    let figures = count_statements().await;
    assert!(
        figures.held <= BUDGET,
        "{:.1} statements per message without ticks and audience lookups ({:.1} with them), over the budget of \
         {BUDGET} (brackets {}, upkeep {})",
        figures.held,
        figures.per_message,
        figures.brackets,
        figures.upkeep
    );
}
