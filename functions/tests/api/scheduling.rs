//! Scheduled starts: the time zone of `scheduledAt`, validation, the
//! scheduler run racing itself, cancelling, and a lapsed subscription.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::json;
use shared::campaigns::schedule::run_scheduler;

use crate::{
    campaign_helpers::{commands_in, inbox, linked, subscribed, user, User},
    helpers::{expect_error, expect_status, TestApp},
};

/// A scheduled campaign `seconds` ahead, with recipients, for a user with
/// an active package and a linked WhatsApp session owned by a (test)
/// sender whose inbox is `inbox`.
async fn scheduled_campaign(app: &TestApp, user: &User, seconds: i64, inbox: &str) -> i64 {
    let at = (Utc::now() + chrono::Duration::seconds(seconds)).to_rfc3339();
    let body =
        json!({"title": "زمان‌بندی", "message": "سلام", "isScheduled": true, "sendType": "SCHEDULED", "scheduledAt": at});
    let created = expect_status(app.post_auth("/api/campaigns", &user.token, &body).await, StatusCode::CREATED).await;
    let id = created["campaign"]["id"].as_i64().unwrap();
    sqlx::query("INSERT INTO recipients (campaign_id, phone) VALUES (?, '989120000001'), (?, '989120000002')")
        .bind(id)
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("UPDATE campaigns SET status = 'READY', total_recipients = 2 WHERE id = ?")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    linked(app, id, inbox).await;
    id
}

async fn status_of(app: &TestApp, id: i64) -> (String, bool, Option<String>) {
    sqlx::query_as("SELECT status, is_scheduled, failure_reason FROM campaigns WHERE id = ?")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_due_campaign_starts_once_however_many_runs_race() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    subscribed(&app, &user).await;
    let inbox = inbox(&app).await;
    let id = scheduled_campaign(&app, &user, 2, &inbox).await;

    let listed = expect_status(app.get_auth("/api/campaigns/scheduled", &user.token).await, StatusCode::OK).await;
    assert_eq!(listed["campaigns"][0]["id"], id);
    let early = run_scheduler(&app.ctx).await.unwrap();
    assert_eq!(early.started, 0, "not due yet");

    tokio::time::sleep(Duration::from_millis(2200)).await;
    let mut ids = vec![id];
    assert_eq!(racing_runs(&app).await, 1);
    // More rounds, each campaign made due at once: a race that goes wrong
    // only now and then (it used to deadlock) shows up here.
    for _ in 0..15 {
        let id = scheduled_campaign(&app, &user, 60, &inbox).await;
        sqlx::query("UPDATE campaigns SET scheduled_at = CURRENT_TIMESTAMP(3) WHERE id = ?")
            .bind(id)
            .execute(&app.db)
            .await
            .unwrap();
        assert_eq!(racing_runs(&app).await, 1);
        ids.push(id);
    }
    let mut commands = Vec::new();
    while commands.len() < ids.len() {
        let more = commands_in(&app, &inbox).await;
        assert!(!more.is_empty(), "{} start commands for {} campaigns", commands.len(), ids.len());
        commands.extend(more);
    }
    for id in &ids {
        assert_eq!(status_of(&app, *id).await.0, "RUNNING");
        let starts = commands
            .iter()
            .filter(|c| c.contains(r#""kind":"start""#) && c.contains(&format!(r#""campaignId":{id},"#)));
        assert_eq!(starts.count(), 1, "campaign {id}: {commands:?}");
    }
    assert!(commands_in(&app, &inbox).await.is_empty(), "nothing more was sent");
    assert_eq!(run_scheduler(&app.ctx).await.unwrap().started, 0);
    let listed = expect_status(app.get_auth("/api/campaigns/scheduled", &user.token).await, StatusCode::OK).await;
    assert_eq!(listed["campaigns"], json!([]));
}

/// Two scheduler runs at once; how many campaigns they started together.
async fn racing_runs(app: &TestApp) -> usize {
    let (first, second) = tokio::join!(run_scheduler(&app.ctx), run_scheduler(&app.ctx));
    first.expect("a racing run fails nothing").started + second.expect("a racing run fails nothing").started
}

#[tokio::test]
async fn a_cancelled_schedule_never_starts() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    subscribed(&app, &user).await;
    let inbox = inbox(&app).await;
    let id = scheduled_campaign(&app, &user, 1, &inbox).await;
    let cancelled = app.post_auth(&format!("/api/campaigns/{id}/cancel-schedule"), &user.token, &json!({})).await;
    let body = expect_status(cancelled, StatusCode::OK).await;
    assert_eq!(body["campaign"]["status"], "READY");
    assert_eq!(body["campaign"]["isScheduled"], false);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(run_scheduler(&app.ctx).await.unwrap().started, 0);
    assert_eq!(status_of(&app, id).await, ("READY".into(), false, None));
    assert!(commands_in(&app, &inbox).await.is_empty());
    // Cancelling twice, or someone else's campaign, is refused.
    let again = app.post_auth(&format!("/api/campaigns/{id}/cancel-schedule"), &user.token, &json!({})).await;
    expect_error(again, StatusCode::CONFLICT, "NOT_SCHEDULED").await;
    let other = crate::campaign_helpers::user(&app).await;
    let foreign = app.post_auth(&format!("/api/campaigns/{id}/cancel-schedule"), &other.token, &json!({})).await;
    expect_error(foreign, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}

#[tokio::test]
async fn a_lapsed_subscription_fails_the_start_with_the_reason() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    subscribed(&app, &user).await;
    let inbox = inbox(&app).await;
    let id = scheduled_campaign(&app, &user, 1, &inbox).await;
    sqlx::query("UPDATE users SET subscription_expires_at = NOW(3) - INTERVAL 1 DAY WHERE id = ?")
        .bind(user.id)
        .execute(&app.db)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let report = run_scheduler(&app.ctx).await.unwrap();
    assert_eq!((report.started, report.failed), (0, 1));
    let (status, scheduled, reason) = status_of(&app, id).await;
    assert_eq!((status.as_str(), scheduled), ("FAILED", false));
    assert!(reason.unwrap().contains("subscription"), "the reason names the subscription");
    assert!(commands_in(&app, &inbox).await.is_empty());
}

#[tokio::test]
async fn local_times_are_read_in_the_campaigns_time_zone() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    for (local, zone, utc) in [
        ("2031-03-21T09:30:00", "Asia/Tehran", "2031-03-21T06:00:00Z"),
        ("2031-07-01T12:00", "Europe/Berlin", "2031-07-01T10:00:00Z"),
        ("2031-01-15T12:00", "Europe/Berlin", "2031-01-15T11:00:00Z"),
    ] {
        let body = json!({"message": "m", "isScheduled": true, "scheduledAt": local, "timezone": zone});
        let created =
            expect_status(app.post_auth("/api/campaigns", &user.token, &body).await, StatusCode::CREATED).await;
        let id = created["campaign"]["id"].as_i64().unwrap();
        let stored: DateTime<Utc> = sqlx::query_scalar("SELECT scheduled_at FROM campaigns WHERE id = ?")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(stored, utc.parse::<DateTime<Utc>>().unwrap(), "{local} in {zone}");
    }
}

#[tokio::test]
async fn past_times_and_unknown_zones_are_refused() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    for (body, field) in [
        (json!({"message": "m", "isScheduled": true, "scheduledAt": "2020-01-01T10:00:00Z"}), "scheduledAt"),
        (
            json!({"message": "m", "isScheduled": true, "scheduledAt": "2031-01-01T10:00", "timezone": "Mars/Olympus"}),
            "timezone",
        ),
        (json!({"message": "m", "isScheduled": true}), "scheduledAt"),
    ] {
        let response = app.post_auth("/api/campaigns", &user.token, &body).await;
        let error = expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        let fields: Vec<&str> =
            error["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
        assert!(fields.contains(&field), "{body} → {error}");
    }
    assert_eq!(app.count("campaigns").await, 0);
}

#[tokio::test]
async fn a_running_campaign_with_no_send_for_ten_minutes_counts_as_stalled() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    subscribed(&app, &user).await;
    let inbox = inbox(&app).await;
    let stuck = scheduled_campaign(&app, &user, 3600, &inbox).await;
    let sending = scheduled_campaign(&app, &user, 3600, &inbox).await;
    let fresh = scheduled_campaign(&app, &user, 3600, &inbox).await;
    for (id, started_minutes_ago) in [(stuck, 11), (sending, 30), (fresh, 2)] {
        sqlx::query(
            "UPDATE campaigns SET status = 'RUNNING', is_scheduled = FALSE,
             started_at = CURRENT_TIMESTAMP(3) - INTERVAL ? MINUTE WHERE id = ?",
        )
        .bind(started_minutes_ago)
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    }
    // `sending` sent a message a minute ago; `stuck` sent its last 20 minutes ago.
    for (id, minutes_ago) in [(sending, 1), (stuck, 20)] {
        sqlx::query(
            "UPDATE recipients SET status = 'SENT', sent_at = CURRENT_TIMESTAMP(3) - INTERVAL ? MINUTE
             WHERE campaign_id = ? AND phone = '989120000001'",
        )
        .bind(minutes_ago)
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    }

    let report = run_scheduler(&app.ctx).await.unwrap();
    assert_eq!(report.stalled, 1, "only the campaign silent for over ten minutes: {report:?}");
}
