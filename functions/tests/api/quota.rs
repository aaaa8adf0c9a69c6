//! The quota: reserved by a start, used by each message the sender
//! records (`deliveries::record_sent`), returned on release, against real
//! MariaDB.

use reqwest::StatusCode;
use shared::{commerce::quota, domain::Email, ApiError};

use crate::helpers::{expect_status, TestApp};

/// A user with an active subscription worth `limit` messages; (user id, token).
async fn subscriber(app: &TestApp, limit: i64) -> (i64, String) {
    let (_, admin) = app.staff("ADMIN").await;
    let package_id = app.create_package(&admin.access_token, 10_000, 30, limit).await;
    let (account, session) = app.user().await;
    shared::commerce::subscription::give(&app.db, &Email::parse(&account.email).unwrap(), package_id).await.unwrap();
    (account.id, session.access_token)
}

/// One message of the campaign recorded as sent the way the sender records
/// it (recipient, counters, the number's send and the quota in one
/// statement); whether it was counted.
async fn send_one(app: &TestApp, user_id: i64, campaign: i64) -> bool {
    let account = shared::repo::whatsapp_accounts::upsert(&app.db, user_id, "989121234567").await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recipients WHERE campaign_id = ?")
        .bind(campaign)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let recipient = sqlx::query("INSERT INTO recipients (campaign_id, phone, status) VALUES (?, ?, 'SENDING')")
        .bind(campaign)
        .bind(format!("98912{n:07}"))
        .execute(&app.db)
        .await
        .unwrap()
        .last_insert_id() as i64;
    let mut conn = app.db.acquire().await.unwrap();
    let send = shared::repo::whatsapp_accounts::insert_send(&mut conn, account, campaign, chrono::Utc::now(), false)
        .await
        .unwrap();
    shared::repo::deliveries::record_sent(&app.db, campaign, recipient, send).await.unwrap()
}

fn code_of(err: ApiError) -> &'static str {
    assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY, "{err:?}");
    err.code()
}

#[tokio::test]
async fn reserve_consume_and_release() {
    let app = TestApp::spawn().await;
    let (user_id, token) = subscriber(&app, 100).await;
    let campaign = app.insert_campaign(user_id, "READY").await;

    let reserved = quota::reserve(&app.db, user_id, campaign, 30).await.unwrap();
    assert_eq!((reserved.reserved, reserved.remaining), (30, 70));
    for _ in 0..10 {
        assert!(send_one(&app, user_id, campaign).await);
    }

    let sub = expect_status(app.get_auth("/api/campaigns/subscription", &token).await, StatusCode::OK).await
        ["subscription"]
        .clone();
    assert_eq!(
        (sub["totalLimit"].as_i64(), sub["used"].as_i64(), sub["reserved"].as_i64(), sub["remaining"].as_i64()),
        (Some(100), Some(10), Some(20), Some(70))
    );

    assert_eq!(quota::release(&app.db, campaign).await.unwrap(), 20);
    assert_eq!(quota::release(&app.db, campaign).await.unwrap(), 0, "releasing twice is harmless");
    let sub = expect_status(app.get_auth("/api/campaigns/subscription", &token).await, StatusCode::OK).await
        ["subscription"]
        .clone();
    assert_eq!((sub["used"].as_i64(), sub["remaining"].as_i64()), (Some(10), Some(90)));

    assert!(!send_one(&app, user_id, campaign).await, "nothing reserved: not counted");
}

#[tokio::test]
async fn a_campaign_cannot_send_more_than_it_reserved() {
    let app = TestApp::spawn().await;
    let (user_id, _) = subscriber(&app, 100).await;
    let campaign = app.insert_campaign(user_id, "RUNNING").await;
    quota::reserve(&app.db, user_id, campaign, 2).await.unwrap();
    assert!(send_one(&app, user_id, campaign).await);
    assert!(send_one(&app, user_id, campaign).await);
    assert!(!send_one(&app, user_id, campaign).await, "a third is not counted");
    // Re-reserving replaces the campaign's reservation and counts what was used.
    assert_eq!(code_of(quota::reserve(&app.db, user_id, campaign, 99).await.unwrap_err()), "INSUFFICIENT_QUOTA");
    assert_eq!(quota::reserve(&app.db, user_id, campaign, 98).await.unwrap().remaining, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_campaigns_racing_for_the_last_messages_cannot_both_win() {
    let app = TestApp::spawn().await;
    let (user_id, _) = subscriber(&app, 100).await;
    for _ in 0..5 {
        let first = app.insert_campaign(user_id, "READY").await;
        let second = app.insert_campaign(user_id, "READY").await;
        let reserve = |campaign: i64| {
            let db = app.db.clone();
            tokio::spawn(async move { quota::reserve(&db, user_id, campaign, 60).await })
        };
        let (a, b) = tokio::join!(reserve(first), reserve(second));
        let outcomes = [a.unwrap(), b.unwrap()];
        let winners = outcomes.iter().filter(|o| o.is_ok()).count();
        assert_eq!(winners, 1, "{outcomes:?}");
        let loser = outcomes.into_iter().find_map(Result::err).unwrap();
        assert_eq!(code_of(loser), "INSUFFICIENT_QUOTA");
        let held: i64 = sqlx::query_scalar("SELECT CAST(SUM(reserved) AS SIGNED) FROM quota_reservations")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(held, 60);
        sqlx::query("DELETE FROM quota_reservations").execute(&app.db).await.unwrap();
    }
}

#[tokio::test]
async fn no_subscription_no_quota_and_only_own_campaigns() {
    let app = TestApp::spawn().await;
    let (account, session) = app.user().await;
    let campaign = app.insert_campaign(account.id, "READY").await;
    assert_eq!(code_of(quota::reserve(&app.db, account.id, campaign, 1).await.unwrap_err()), "SUBSCRIPTION_INACTIVE");
    let sub =
        expect_status(app.get_auth("/api/campaigns/subscription", &session.access_token).await, StatusCode::OK).await;
    assert_eq!(
        sub["subscription"],
        serde_json::json!({
            "isActive": false, "expiresAt": null, "totalLimit": 0, "used": 0, "reserved": 0, "remaining": 0, "packages": []
        })
    );

    let (subscriber_id, _) = subscriber(&app, 100).await;
    let err = quota::reserve(&app.db, subscriber_id, campaign, 1).await.unwrap_err();
    assert_eq!(err.status(), StatusCode::NOT_FOUND, "another user's campaign");

    // An expired subscription gives nothing, even with packages.
    sqlx::query("UPDATE users SET subscription_expires_at = ? WHERE id = ?")
        .bind(chrono::Utc::now() - chrono::Duration::minutes(1))
        .bind(subscriber_id)
        .execute(&app.db)
        .await
        .unwrap();
    let own = app.insert_campaign(subscriber_id, "READY").await;
    assert_eq!(code_of(quota::reserve(&app.db, subscriber_id, own, 1).await.unwrap_err()), "SUBSCRIPTION_INACTIVE");
    let anonymous = app.client.get(app.url("/api/campaigns/subscription")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn deleting_a_campaign_returns_its_reservation() {
    let app = TestApp::spawn().await;
    let (user_id, token) = subscriber(&app, 50).await;
    let campaign = app.insert_campaign(user_id, "READY").await;
    quota::reserve(&app.db, user_id, campaign, 50).await.unwrap();
    sqlx::query("DELETE FROM campaigns WHERE id = ?").bind(campaign).execute(&app.db).await.unwrap();
    let sub = expect_status(app.get_auth("/api/campaigns/subscription", &token).await, StatusCode::OK).await;
    assert_eq!(sub["subscription"]["remaining"], 50);
}
