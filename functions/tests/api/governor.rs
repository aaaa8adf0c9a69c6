//! The send governor through the API (sending hours, waiting fields, the
//! accounts list) and its MySQL ledger: the cap holds however many
//! reservations race for a number.

use reqwest::StatusCode;
use serde_json::json;
use shared::{
    governor::{
        cold::ContactKind,
        ledger::{self, CampaignRules, Claim, Settled},
        GovernorSettings,
    },
    repo::{session_leases, whatsapp_accounts},
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

/// A RUNNING campaign of `count` recipients sending from a number whose
/// session lease a sender holds: (campaign, account, the sender's lease).
async fn sending_campaign(
    app: &TestApp,
    owner: &crate::campaign_helpers::User,
    count: u32,
) -> (i64, i64, (String, i64)) {
    let campaign = any_time_campaign_with_recipients(app, owner, count).await;
    let account = whatsapp_accounts::upsert(&app.db, owner.id, "989121234567").await.unwrap();
    whatsapp_accounts::attach_campaign(&app.db, campaign, account).await.unwrap();
    sqlx::query("UPDATE campaigns SET status = 'RUNNING' WHERE id = ?").bind(campaign).execute(&app.db).await.unwrap();
    let ttl = std::time::Duration::from_secs(60);
    let lease = session_leases::claim(&app.db, account, "sender-a", "http://inbox", ttl).await.unwrap().unwrap();
    (campaign, account, ("sender-a".to_owned(), lease.fencing))
}

fn rules(campaign_id: i64) -> CampaignRules<'static> {
    CampaignRules {
        campaign_id,
        window: None,
        timezone: shared::domain::Timezone::parse("UTC").unwrap().tz(),
        floor: std::time::Duration::ZERO,
    }
}

async fn recipient_status(app: &TestApp, campaign: i64, phone: &str) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, error FROM recipients WHERE campaign_id = ? AND phone = ?")
        .bind(campaign)
        .bind(phone)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn racing_claims_never_pass_the_daily_cap_of_a_number() {
    let app = TestApp::spawn().await;
    let owner = user(&app).await;
    let (campaign, account, (sender, fencing)) = sending_campaign(&app, &owner, 20).await;
    // Everyone wrote to the number: only the general caps apply.
    for n in 0..20 {
        shared::repo::warm_contacts::record(&app.db, account, &format!("98912{:07}", n)).await.unwrap();
    }
    let settings = GovernorSettings {
        daily_cap: 3,
        warm_up_ramp: vec![],
        default_window: None,
        break_every: (1000, 1000),
        ..GovernorSettings::default()
    };
    let racers = (0..12).map(|_| {
        let (db, settings, sender) = (app.db.clone(), settings.clone(), sender.clone());
        tokio::spawn(async move {
            ledger::claim(&db, account, rules(campaign), (&sender, fencing), &settings).await.unwrap()
        })
    });
    let mut went = 0;
    let mut daily_limit = 0;
    for racer in racers {
        match racer.await.unwrap() {
            Claim::Go { .. } => went += 1,
            Claim::Wait { reason: shared::governor::WaitReason::DailyLimit, .. } => daily_limit += 1,
            Claim::Hold { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(went <= 3, "{went} went");
    // Held ones (another just claimed) try again: at most the cap, ever.
    loop {
        match ledger::claim(&app.db, account, rules(campaign), (&sender, fencing), &settings).await.unwrap() {
            Claim::Go { .. } => went += 1,
            Claim::Hold { .. } => continue,
            Claim::Wait { .. } => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(went, 3, "exactly the cap ({daily_limit} told DAILY_LIMIT in the race)");
    let (sending,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM recipients WHERE campaign_id = ? AND status = 'SENDING'")
            .bind(campaign)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(sending, 3, "one recipient claimed per send");
}

#[tokio::test]
async fn cold_claims_stop_at_the_cold_budget_while_warm_ones_go_on() {
    let app = TestApp::spawn().await;
    let owner = user(&app).await;
    let (campaign, account, (sender, fencing)) = sending_campaign(&app, &owner, 12).await;
    let settings = GovernorSettings {
        cold_daily_cap: (4, 8),
        warm_up_ramp: vec![],
        default_window: None,
        break_every: (1000, 1000),
        ..GovernorSettings::default()
    };
    let racers = (0..10).map(|_| {
        let (db, settings, sender) = (app.db.clone(), settings.clone(), sender.clone());
        tokio::spawn(async move {
            ledger::claim(&db, account, rules(campaign), (&sender, fencing), &settings).await.unwrap()
        })
    });
    let mut cold_went = 0;
    for racer in racers {
        if let Claim::Go { contact, .. } = racer.await.unwrap() {
            assert_eq!(contact, ContactKind::Cold);
            cold_went += 1;
        }
    }
    loop {
        match ledger::claim(&app.db, account, rules(campaign), (&sender, fencing), &settings).await.unwrap() {
            Claim::Go { .. } => cold_went += 1,
            Claim::Hold { .. } => continue,
            Claim::Wait { reason, .. } => {
                assert_eq!(reason, shared::governor::WaitReason::ColdContactLimit);
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(cold_went, 4, "a new number's cold budget");
    // People who wrote to the number are not held back by it.
    shared::repo::warm_contacts::record(&app.db, account, "989120000010").await.unwrap();
    let warm = loop {
        match ledger::claim(&app.db, account, rules(campaign), (&sender, fencing), &settings).await.unwrap() {
            Claim::Hold { .. } => continue,
            other => break other,
        }
    };
    match warm {
        Claim::Go { contact, recipient, .. } => {
            assert_eq!((contact, recipient.phone.as_str()), (ContactKind::Warm, "989120000010"))
        }
        other => panic!("a warm recipient goes: {other:?}"),
    }
}

#[tokio::test]
async fn a_claim_leaves_out_who_opted_out_or_is_known_unreachable_and_needs_the_lease() {
    let app = TestApp::spawn().await;
    let owner = user(&app).await;
    let (campaign, account, (sender, fencing)) = sending_campaign(&app, &owner, 4).await;
    let settings = GovernorSettings {
        warm_up_ramp: vec![],
        default_window: None,
        break_every: (1000, 1000),
        ..GovernorSettings::default()
    };
    sqlx::query("INSERT INTO suppressions (user_id, phone, reason) VALUES (?, '989120000000', 'asked')")
        .bind(owner.id)
        .execute(&app.db)
        .await
        .unwrap();
    shared::repo::unreachable_numbers::remember(&app.db, owner.id, "989120000001").await.unwrap();
    // Another sender's claim changes nothing.
    let stranger = ledger::claim(&app.db, account, rules(campaign), ("sender-b", fencing), &settings).await.unwrap();
    assert!(matches!(stranger, Claim::Lost), "{stranger:?}");
    assert_eq!(recipient_status(&app, campaign, "989120000000").await.0, "PENDING");

    let first = ledger::claim(&app.db, account, rules(campaign), (&sender, fencing), &settings).await.unwrap();
    assert!(matches!(&first, Claim::Skipped { reason, .. } if reason == "opted out"), "{first:?}");
    assert_eq!(recipient_status(&app, campaign, "989120000000").await, ("FAILED".into(), Some("opted out".into())));
    let second = ledger::claim(&app.db, account, rules(campaign), (&sender, fencing), &settings).await.unwrap();
    assert!(matches!(&second, Claim::Skipped { reason, .. } if reason.starts_with("not on WhatsApp")), "{second:?}");
    let third = ledger::claim(&app.db, account, rules(campaign), (&sender, fencing), &settings).await.unwrap();
    let Claim::Go { ticket, recipient, .. } = third else { panic!("the third goes: {third:?}") };
    assert_eq!(recipient.phone, "989120000002");
    assert_eq!(recipient_status(&app, campaign, "989120000002").await.0, "SENDING");
    // Recorded with the counters, the send and the quota in one statement.
    sqlx::query("INSERT INTO quota_reservations (campaign_id, user_id, reserved) VALUES (?, ?, 1)")
        .bind(campaign)
        .bind(owner.id)
        .execute(&app.db)
        .await
        .unwrap();
    let used_before: i64 = sqlx::query_scalar("SELECT messages_used FROM users WHERE id = ?")
        .bind(owner.id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let trip = ledger::record(&app.db, account, (campaign, recipient.id), ticket, Settled::Sent).await.unwrap();
    assert_eq!(trip, None);
    assert_eq!(recipient_status(&app, campaign, "989120000002").await.0, "SENT");
    let figures: (i32, i32, i64, i64, String) = sqlx::query_as(
        "SELECT c.sent_count, c.failed_count, q.reserved, u.messages_used, CAST(s.outcome AS CHAR) \
         FROM campaigns c JOIN quota_reservations q ON q.campaign_id = c.id JOIN users u ON u.id = c.user_id \
         JOIN whatsapp_sends s ON s.campaign_id = c.id WHERE c.id = ?",
    )
    .bind(campaign)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(figures, (1, 2, 0, used_before + 1, "SENT".into()), "sent, failed, reserved, used, the send");
    // Nothing reserved any more: the next message is not counted (the session stops on it).
    let fourth = loop {
        match ledger::claim(&app.db, account, rules(campaign), (&sender, fencing), &settings).await.unwrap() {
            Claim::Go { ticket, recipient, .. } => break (ticket, recipient),
            Claim::Hold { .. } => continue,
            other => panic!("{other:?}"),
        }
    };
    let err = ledger::record(&app.db, account, (campaign, fourth.1.id), fourth.0, Settled::Sent).await.unwrap_err();
    assert_eq!(err.code(), "QUOTA_NOT_RESERVED");
    assert_eq!(recipient_status(&app, campaign, &fourth.1.phone).await.0, "SENDING", "left for the takeover to settle");
}

/// A campaign created to send at any time, with `count` recipients
/// (98912000000, 98912000001, …).
async fn any_time_campaign_with_recipients(app: &TestApp, user: &crate::campaign_helpers::User, count: u32) -> i64 {
    use crate::campaign_helpers::{import, xlsx, Cell};
    let body = json!({"message": "سلام {name}", "sendWindow": null});
    let created = expect_status(app.post_auth("/api/campaigns", &user.token, &body).await, StatusCode::CREATED).await;
    let id = created["campaign"]["id"].as_i64().unwrap();
    let rows: Vec<Vec<Cell>> = std::iter::once(vec![Cell::Text("phone")])
        .chain((0..count).map(|n| vec![Cell::Number(9_120_000_000.0 + f64::from(n))]))
        .collect();
    expect_status(import(app, user, id, "r.xlsx", xlsx(&rows)).await, StatusCode::OK).await;
    id
}

/// `estimatedFinishAt` of the preview and of the details, as hours from now.
async fn estimated_hours(app: &TestApp, user: &crate::campaign_helpers::User, id: i64) -> (Option<f64>, Option<f64>) {
    let hours_from_now = |value: &serde_json::Value| {
        let at = chrono::DateTime::parse_from_rfc3339(value.as_str()?).expect("RFC 3339");
        Some((at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds() as f64 / 3600.0)
    };
    let preview =
        expect_status(app.get_auth(&format!("/api/campaigns/{id}/preview"), &user.token).await, StatusCode::OK).await;
    let details = expect_status(app.get_auth(&format!("/api/campaigns/{id}"), &user.token).await, StatusCode::OK).await;
    (
        hours_from_now(&preview["preview"]["estimatedFinishAt"]),
        hours_from_now(&details["campaign"]["estimatedFinishAt"]),
    )
}

#[tokio::test]
async fn thirty_strangers_on_a_campaign_without_a_number_are_estimated_to_take_over_a_day() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = any_time_campaign_with_recipients(&app, &user, 30).await;
    // A brand-new number sends 20 messages to strangers a day: the last 10 a day later.
    let (preview, details) = estimated_hours(&app, &user, id).await;
    for hours in [preview, details] {
        let hours = hours.expect("an estimate");
        assert!((24.0..25.0).contains(&hours), "{hours} h");
    }
    let body =
        expect_status(app.get_auth(&format!("/api/campaigns/{id}/preview"), &user.token).await, StatusCode::OK).await;
    let seconds = body["preview"]["estimatedDuration"]["seconds"].as_u64().unwrap();
    assert!(seconds > 24 * 3600, "{seconds} s, not 30 × the interval");
}

#[tokio::test]
async fn a_campaign_with_nothing_pending_or_over_has_no_estimate() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let empty = create_campaign(&app, &user, "t").await;
    assert_eq!(estimated_hours(&app, &user, empty).await, (None, None));
    let cancelled = any_time_campaign_with_recipients(&app, &user, 3).await;
    crate::campaign_helpers::set_status(&app, cancelled, "CANCELLED").await;
    assert_eq!(estimated_hours(&app, &user, cancelled).await, (None, None));
}

#[tokio::test]
async fn a_timelock_on_the_number_holds_only_the_estimate_of_people_who_never_wrote_to_it() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let account = whatsapp_accounts::upsert(&app.db, user.id, "989121234567").await.unwrap();
    // Linked two months ago and warmed up: only the timelock holds anyone back.
    sqlx::query(
        "UPDATE whatsapp_accounts SET first_linked_at = NOW(3) - INTERVAL 60 DAY, \
         warm_up_since = NOW(3) - INTERVAL 60 DAY, last_sent_at = NOW(3) - INTERVAL 1 HOUR WHERE id = ?",
    )
    .bind(account)
    .execute(&app.db)
    .await
    .unwrap();
    whatsapp_accounts::record_timelock(&app.db, account, chrono::Utc::now() + chrono::TimeDelta::hours(48))
        .await
        .unwrap();
    let id = any_time_campaign_with_recipients(&app, &user, 10).await;
    whatsapp_accounts::attach_campaign(&app.db, id, account).await.unwrap();
    for n in 0..10 {
        shared::repo::warm_contacts::record(&app.db, account, &format!("98912000000{n}")).await.unwrap();
    }
    let (preview, details) = estimated_hours(&app, &user, id).await;
    for hours in [preview, details] {
        assert!(hours.expect("an estimate") < 1.0, "everyone wrote to the number: {hours:?} h");
    }
    sqlx::query("DELETE FROM warm_contacts WHERE phone = '989120000009'").execute(&app.db).await.unwrap();
    let (preview, details) = estimated_hours(&app, &user, id).await;
    for hours in [preview, details] {
        let hours = hours.expect("an estimate");
        assert!((47.9..49.0).contains(&hours), "one stranger waits for the timelock: {hours} h");
    }
}

#[tokio::test]
async fn people_who_wrote_to_the_number_are_next_in_line_and_listed_warm() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let account = whatsapp_accounts::upsert(&app.db, user.id, "989121234567").await.unwrap();
    let id = any_time_campaign_with_recipients(&app, &user, 5).await;
    whatsapp_accounts::attach_campaign(&app.db, id, account).await.unwrap();
    let next_in_line = |db| shared::repo::deliveries::next_recipient(db, id, chrono::Utc::now());
    let first = next_in_line(&app.db).await.unwrap().unwrap();
    assert_eq!(
        (first.phone.as_str(), first.contact()),
        ("989120000000", ContactKind::Cold),
        "list order among strangers"
    );
    // The fourth one wrote to the number.
    shared::repo::warm_contacts::record(&app.db, account, "989120000003").await.unwrap();
    let first = next_in_line(&app.db).await.unwrap().unwrap();
    assert_eq!((first.phone.as_str(), first.contact()), ("989120000003", ContactKind::Warm), "who wrote goes first");
    let listed = expect_status(
        app.get_auth(&format!("/api/campaigns/{id}/recipients?limit=10"), &user.token).await,
        StatusCode::OK,
    )
    .await;
    let kinds: Vec<(&str, &str)> = listed["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["phone"].as_str().unwrap(), r["contactKind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds.iter().filter(|(_, kind)| *kind == "warm").collect::<Vec<_>>(), vec![&("989120000003", "warm")]);
    assert_eq!(kinds.len(), 5);
}
