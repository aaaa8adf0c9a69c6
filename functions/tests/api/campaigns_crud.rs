use reqwest::StatusCode;
use serde_json::json;

use crate::{
    campaign_helpers::{create_campaign, delete_auth, import, put_auth, user, xlsx, Cell},
    helpers::{expect_error, expect_status, TestApp},
};

#[tokio::test]
async fn create_answers_spec_shape_with_defaults() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let body = json!({"title": "  کمپین نوروز ", "message": "سلام\nعید مبارک"});
    let created = expect_status(app.post_auth("/api/campaigns", &user.token, &body).await, StatusCode::CREATED).await;
    assert_eq!(created["success"], true);
    assert_eq!(created["campaign"]["title"], "کمپین نوروز");
    assert_eq!(created["campaign"]["status"], "DRAFT");
    let id = created["campaign"]["id"].as_i64().unwrap();

    let details = expect_status(app.get_auth(&format!("/api/campaigns/{id}"), &user.token).await, StatusCode::OK).await;
    let campaign = &details["campaign"];
    assert_eq!(campaign["message"], "سلام\nعید مبارک");
    assert_eq!(campaign["interval"], "TEN_SECONDS");
    assert_eq!(campaign["timezone"], "Asia/Tehran");
    assert_eq!(campaign["sendType"], "IMMEDIATE");
    assert_eq!(campaign["isScheduled"], false);
    assert_eq!(campaign["userId"], user.id);
    assert_eq!(campaign["recipientCounts"]["total"], 0);
    assert_eq!(campaign["attachment"], serde_json::Value::Null);
    assert!(campaign["createdAt"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn create_stores_schedule_fields_as_given() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let body = json!({
        "message": "hi", "interval": "FIVE_SECONDS", "isScheduled": true,
        "scheduledAt": "2030-03-21T09:30", "timezone": "Asia/Tehran", "sendType": "SCHEDULED"
    });
    let created = expect_status(app.post_auth("/api/campaigns", &user.token, &body).await, StatusCode::CREATED).await;
    assert_eq!(created["campaign"]["title"], serde_json::Value::Null);
    let id = created["campaign"]["id"].as_i64().unwrap();
    let details = expect_status(app.get_auth(&format!("/api/campaigns/{id}"), &user.token).await, StatusCode::OK).await;
    assert_eq!(details["campaign"]["interval"], "FIVE_SECONDS");
    assert_eq!(details["campaign"]["sendType"], "SCHEDULED");
    // 09:30 in Tehran (UTC+3:30) is 06:00 UTC.
    assert!(details["campaign"]["scheduledAt"].as_str().unwrap().starts_with("2030-03-21T06:00:00"));
}

#[tokio::test]
async fn create_rejects_bad_input_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    for (body, field) in [
        (json!({}), "message"),
        (json!({"message": "  "}), "message"),
        (json!({"message": 5}), "message"),
        (json!({"message": "hi", "interval": "THIRTY_SECONDS"}), "interval"),
        (json!({"message": "hi", "sendType": "LATER"}), "sendType"),
        (json!({"message": "hi", "timezone": "Mars/Base"}), "timezone"),
        (json!({"message": "hi", "isScheduled": "yes"}), "isScheduled"),
        (json!({"message": "hi", "isScheduled": true}), "scheduledAt"),
        (json!({"message": "hi", "isScheduled": true, "scheduledAt": "tomorrow"}), "scheduledAt"),
        (json!({"message": "hi", "title": "x".repeat(256)}), "title"),
    ] {
        let response = app.post_auth("/api/campaigns", &user.token, &body).await;
        let error = expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(error["errors"][0]["field"], field, "{body} → {error}");
    }
    let response = app
        .client
        .post(app.url("/api/campaigns"))
        .bearer_auth(&user.token)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(app.count("campaigns").await, 0);
}

#[tokio::test]
async fn campaigns_need_a_token() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/api/campaigns")).send().await.unwrap();
    expect_error(response, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    let response = app.post("/api/campaigns", &json!({"message": "hi"})).await;
    expect_error(response, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
}

#[tokio::test]
async fn list_filters_searches_and_pages_own_campaigns() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let other = crate::campaign_helpers::user(&app).await;
    create_campaign(&app, &other, "کمپین دیگری").await;
    for n in 0..12 {
        create_campaign(&app, &user, &format!("کمپین {n}")).await;
    }
    let special = create_campaign(&app, &user, "Sale 100%_off").await;
    let ready = create_campaign(&app, &user, "Ready one").await;
    let file = xlsx(&[vec![Cell::Text("phone")], vec![Cell::Text("09123456789")]]);
    expect_status(import(&app, &user, ready, "list.xlsx", file).await, StatusCode::OK).await;

    let page = expect_status(app.get_auth("/api/campaigns?page=2&limit=5", &user.token).await, StatusCode::OK).await;
    assert_eq!(page["campaigns"].as_array().unwrap().len(), 5);
    assert_eq!(page["pagination"], json!({"page": 2, "limit": 5, "total": 14, "totalPages": 3}));
    let all = expect_status(app.get_auth("/api/campaigns?limit=100", &user.token).await, StatusCode::OK).await;
    assert!(all["campaigns"].as_array().unwrap().iter().all(|c| c["userId"] == user.id));

    let found = expect_status(
        app.get_auth("/api/campaigns?search=%DA%A9%D9%85%D9%BE%DB%8C%D9%86", &user.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["pagination"]["total"], 12, "Persian search (کمپین)");
    let found = expect_status(app.get_auth("/api/campaigns?search=0%25_", &user.token).await, StatusCode::OK).await;
    assert_eq!(found["campaigns"][0]["id"], special, "% and _ are literal");
    assert_eq!(found["pagination"]["total"], 1);
    let found = expect_status(app.get_auth("/api/campaigns?status=READY", &user.token).await, StatusCode::OK).await;
    assert_eq!(found["pagination"]["total"], 1);
    assert_eq!(found["campaigns"][0]["id"], ready);

    for (query, field) in [("status=DONE", "status"), ("limit=101", "limit"), ("page=0", "page"), ("page=x", "page")] {
        let response = app.get_auth(&format!("/api/campaigns?{query}"), &user.token).await;
        let error = expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(error["errors"][0]["field"], field, "{query}");
    }
}

#[tokio::test]
async fn title_and_interval_change() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "old").await;
    let renamed = expect_status(
        put_auth(&app, &format!("/api/campaigns/{id}/title"), &user.token, &json!({"title": "تازه"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(renamed["campaign"]["title"], "تازه");
    let paced = expect_status(
        put_auth(&app, &format!("/api/campaigns/{id}/interval"), &user.token, &json!({"interval": "TWENTY_SECONDS"}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(paced["campaign"]["interval"], "TWENTY_SECONDS");

    let bad = put_auth(&app, &format!("/api/campaigns/{id}/interval"), &user.token, &json!({"interval": "1s"})).await;
    let error = expect_error(bad, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(error["errors"][0]["field"], "interval");
    let bad = put_auth(&app, &format!("/api/campaigns/{id}/title"), &user.token, &json!({"title": ""})).await;
    expect_error(bad, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;

    // While running the pause may change; once finished it may not.
    crate::campaign_helpers::set_status(&app, id, "RUNNING").await;
    let body = json!({"interval": "FIVE_SECONDS"});
    expect_status(put_auth(&app, &format!("/api/campaigns/{id}/interval"), &user.token, &body).await, StatusCode::OK)
        .await;
    crate::campaign_helpers::set_status(&app, id, "COMPLETED").await;
    let response = put_auth(&app, &format!("/api/campaigns/{id}/interval"), &user.token, &body).await;
    expect_error(response, StatusCode::CONFLICT, "INVALID_CAMPAIGN_STATE").await;
    let details = expect_status(app.get_auth(&format!("/api/campaigns/{id}"), &user.token).await, StatusCode::OK).await;
    assert_eq!(details["campaign"]["title"], "تازه");
    assert_eq!(details["campaign"]["interval"], "FIVE_SECONDS");
}

#[tokio::test]
async fn delete_removes_the_campaign_its_rows_and_files() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "doomed").await;
    let file = xlsx(&[vec![Cell::Text("phone")], vec![Cell::Text("09123456789")], vec![Cell::Text("09123456780")]]);
    expect_status(import(&app, &user, id, "r.xlsx", file).await, StatusCode::OK).await;
    let path = format!("/api/campaigns/{id}/attachment");
    let attached = crate::campaign_helpers::upload(
        &app,
        &path,
        &user.token,
        "attachment",
        "a.png",
        crate::campaign_helpers::png(),
    )
    .await;
    let key = expect_status(attached, StatusCode::CREATED).await["attachment"]["path"].as_str().unwrap().to_owned();
    assert!(crate::campaign_helpers::object_exists(&app, &key).await);

    expect_status(delete_auth(&app, &format!("/api/campaigns/{id}"), &user.token).await, StatusCode::OK).await;
    assert_eq!(app.count("campaigns").await, 0);
    assert_eq!(app.count("recipients").await, 0);
    assert_eq!(app.count("attachments").await, 0);
    assert!(!crate::campaign_helpers::object_exists(&app, &key).await);
    let gone = app.get_auth(&format!("/api/campaigns/{id}"), &user.token).await;
    expect_error(gone, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}

#[tokio::test]
async fn another_users_campaign_is_missing_on_every_route() {
    let app = TestApp::spawn().await;
    let owner = user(&app).await;
    let stranger = crate::campaign_helpers::user(&app).await;
    let id = create_campaign(&app, &owner, "private").await;
    let file = xlsx(&[vec![Cell::Text("phone")], vec![Cell::Text("09123456789")]]);
    expect_status(import(&app, &owner, id, "r.xlsx", file.clone()).await, StatusCode::OK).await;

    let t = &stranger.token;
    let base = format!("/api/campaigns/{id}");
    let responses = vec![
        app.get_auth(&base, t).await,
        put_auth(&app, &format!("{base}/title"), t, &json!({"title": "mine"})).await,
        put_auth(&app, &format!("{base}/interval"), t, &json!({"interval": "FIVE_SECONDS"})).await,
        app.get_auth(&format!("{base}/recipients"), t).await,
        import(&app, &stranger, id, "r.xlsx", file).await,
        app.post_auth(&format!("{base}/recipients/upload-url"), t, &json!({})).await,
        app.post_auth(
            &format!("{base}/recipients/import-staged"),
            t,
            &json!({"key": format!("staging/{}/{}", stranger.id, "a".repeat(32))}),
        )
        .await,
        crate::campaign_helpers::upload(
            &app,
            &format!("{base}/attachment"),
            t,
            "attachment",
            "a.png",
            crate::campaign_helpers::png(),
        )
        .await,
        crate::campaign_helpers::upload(
            &app,
            &format!("{base}/attachment/temp"),
            t,
            "attachment",
            "a.png",
            crate::campaign_helpers::png(),
        )
        .await,
        app.post_auth(&format!("{base}/attachment/upload-url"), t, &json!({})).await,
        app.get_auth(&format!("{base}/attachment"), t).await,
        delete_auth(&app, &format!("{base}/attachment"), t).await,
        app.get_auth(&format!("{base}/preview"), t).await,
        app.get_auth(&format!("{base}/report"), t).await,
        app.get_auth(&format!("{base}/report/download"), t).await,
        app.post_auth("/api/campaigns/reports/download-multiple", t, &json!({"campaignIds": [id]})).await,
        delete_auth(&app, &base, t).await,
    ];
    for response in responses {
        let url = response.url().path().to_owned();
        let body = expect_error(response, StatusCode::NOT_FOUND, "NOT_FOUND").await;
        assert!(!body.to_string().contains("private"), "{url}: {body}");
    }
    let details = expect_status(app.get_auth(&base, &owner.token).await, StatusCode::OK).await;
    assert_eq!(details["campaign"]["title"], "private");
    assert_eq!(details["campaign"]["interval"], "TEN_SECONDS");
    assert_eq!(details["campaign"]["recipientCounts"]["total"], 1);

    // An id that cannot name anything is malformed input (as on every
    // route with an id); a well-formed one nobody has is missing.
    for bad_id in ["abc", "0", "-1", "99999999999999999999"] {
        let response = app.get_auth(&format!("/api/campaigns/{bad_id}"), &owner.token).await;
        let error = expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(error["errors"][0]["field"], "id", "{error}");
    }
    let unknown = app.get_auth("/api/campaigns/987654321", &owner.token).await;
    expect_error(unknown, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}
