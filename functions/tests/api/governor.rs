//! The send governor through the API (sending hours, waiting fields, the
//! accounts list) and its MySQL ledger: the cap holds however many
//! reservations race for a number.

use reqwest::StatusCode;
use serde_json::json;
use shared::{
    governor::{
        ledger::{self, CampaignRules, Reservation},
        GovernorSettings,
    },
    repo::whatsapp_accounts,
};

use crate::{
    campaign_helpers::{create_campaign, put_auth, user},
    helpers::{expect_error, expect_status, TestApp},
};

#[tokio::test]
async fn a_campaign_keeps_the_sending_hours_it_was_created_with() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let body = json!({"message": "hi", "sendWindow": {"start": "09:30", "end": "18:00"}});
    let created = expect_status(app.post_auth("/api/campaigns", &user.token, &body).await, StatusCode::CREATED).await;
    let id = created["campaign"]["id"].as_i64().unwrap();
    let details = expect_status(app.get_auth(&format!("/api/campaigns/{id}"), &user.token).await, StatusCode::OK).await;
    assert_eq!(details["campaign"]["sendWindow"], json!({"start": "09:30", "end": "18:00"}));
    assert_eq!(details["campaign"]["waitingUntil"], serde_json::Value::Null);
    assert_eq!(details["campaign"]["waitReason"], serde_json::Value::Null);

    let any_time = json!({"message": "hi", "sendWindow": null});
    let created =
        expect_status(app.post_auth("/api/campaigns", &user.token, &any_time).await, StatusCode::CREATED).await;
    let id = created["campaign"]["id"].as_i64().unwrap();
    let details = expect_status(app.get_auth(&format!("/api/campaigns/{id}"), &user.token).await, StatusCode::OK).await;
    assert_eq!(details["campaign"]["sendWindow"], serde_json::Value::Null);
}

#[tokio::test]
async fn a_campaign_without_sending_hours_gets_the_default_ones() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "t").await;
    let details = expect_status(app.get_auth(&format!("/api/campaigns/{id}"), &user.token).await, StatusCode::OK).await;
    let expected = app.ctx.settings.governor.default_window.map(|w| json!(w.view())).unwrap_or_default();
    assert_eq!(details["campaign"]["sendWindow"], expected);
}

#[tokio::test]
async fn malformed_sending_hours_are_refused_by_field() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    for window in [json!({"start": "8:00", "end": "21:00"}), json!({"start": "09:00", "end": "09:00"}), json!("08-21")]
    {
        let body = json!({"message": "hi", "sendWindow": window});
        let error = expect_error(
            app.post_auth("/api/campaigns", &user.token, &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(error["errors"][0]["field"], "sendWindow", "{window} → {error}");
    }
    let id = create_campaign(&app, &user, "t").await;
    let path = format!("/api/campaigns/{id}/send-window");
    let error =
        expect_error(put_auth(&app, &path, &user.token, &json!({})).await, StatusCode::BAD_REQUEST, "VALIDATION_ERROR")
            .await;
    assert_eq!(error["errors"][0]["field"], "sendWindow");
}

#[tokio::test]
async fn the_sending_hours_change_with_put_and_only_for_the_owner() {
    let app = TestApp::spawn().await;
    let owner = user(&app).await;
    let stranger = user(&app).await;
    let id = create_campaign(&app, &owner, "t").await;
    let path = format!("/api/campaigns/{id}/send-window");
    let window = json!({"sendWindow": {"start": "22:00", "end": "02:00"}});
    let changed = expect_status(put_auth(&app, &path, &owner.token, &window).await, StatusCode::OK).await;
    assert_eq!(changed["campaign"]["sendWindow"], json!({"start": "22:00", "end": "02:00"}));
    let cleared =
        expect_status(put_auth(&app, &path, &owner.token, &json!({"sendWindow": null})).await, StatusCode::OK).await;
    assert_eq!(cleared["campaign"]["sendWindow"], serde_json::Value::Null);
    expect_error(put_auth(&app, &path, &stranger.token, &window).await, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}

#[tokio::test]
async fn a_user_sees_only_their_own_whatsapp_numbers_with_their_caps() {
    let app = TestApp::spawn().await;
    let owner = user(&app).await;
    let stranger = user(&app).await;
    let account = whatsapp_accounts::upsert(&app.db, owner.id, "989121234567").await.unwrap();
    assert_eq!(
        whatsapp_accounts::upsert(&app.db, owner.id, "989121234567").await.unwrap(),
        account,
        "one row per number"
    );
    let listed = expect_status(app.get_auth("/api/whatsapp-accounts", &owner.token).await, StatusCode::OK).await;
    let accounts = listed["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{listed}");
    let shown = &accounts[0];
    assert_eq!(shown["phone"], "989121234567");
    assert_eq!((shown["sentToday"].as_i64(), shown["sentThisHour"].as_i64()), (Some(0), Some(0)));
    // A new number warms up: its first day's cap is the ramp's first step.
    assert_eq!((shown["warmUpDay"].as_i64(), shown["dailyCap"].as_i64()), (Some(1), Some(20)), "{shown}");
    assert_eq!(shown["hourlyCap"], 60);
    assert_eq!(shown["restrictedUntil"], serde_json::Value::Null);
    let theirs = expect_status(app.get_auth("/api/whatsapp-accounts", &stranger.token).await, StatusCode::OK).await;
    assert_eq!(theirs["accounts"], json!([]));
}

#[tokio::test]
async fn racing_reservations_never_pass_the_daily_cap_of_a_number() {
    let app = TestApp::spawn().await;
    let owner = user(&app).await;
    let campaign = create_campaign(&app, &owner, "t").await;
    let account = whatsapp_accounts::upsert(&app.db, owner.id, "989121234567").await.unwrap();
    let settings = GovernorSettings {
        daily_cap: 3,
        warm_up_ramp: vec![],
        default_window: None,
        break_every: (1000, 1000),
        ..GovernorSettings::default()
    };
    let rules = CampaignRules {
        campaign_id: campaign,
        window: None,
        timezone: shared::domain::Timezone::parse("UTC").unwrap().tz(),
        floor: std::time::Duration::ZERO,
    };
    let racers = (0..12).map(|_| {
        let (db, settings) = (app.db.clone(), settings.clone());
        tokio::spawn(async move { ledger::reserve(&db, account, rules, &settings).await.unwrap() })
    });
    let mut went = 0;
    let mut daily_limit = 0;
    for racer in racers {
        match racer.await.unwrap() {
            Reservation::Go { .. } => went += 1,
            Reservation::Wait { reason: shared::governor::WaitReason::DailyLimit, .. } => daily_limit += 1,
            Reservation::Hold { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(went <= 3, "{went} went");
    // Held ones (another just reserved) try again: at most the cap, ever.
    loop {
        match ledger::reserve(&app.db, account, rules, &settings).await.unwrap() {
            Reservation::Go { .. } => went += 1,
            Reservation::Hold { .. } => continue,
            Reservation::Wait { .. } => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(went, 3, "exactly the cap ({daily_limit} told DAILY_LIMIT in the race)");
}
