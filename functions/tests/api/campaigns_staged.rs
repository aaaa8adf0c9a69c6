use reqwest::StatusCode;
use serde_json::json;

use crate::{
    campaign_helpers::{create_campaign, object_exists, phones, png, put_presigned, upload, user, xlsx, Cell},
    helpers::{expect_error, expect_status, TestApp},
};

#[tokio::test]
async fn recipients_go_through_a_presigned_upload() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "big list").await;
    let grant = expect_status(
        app.post_auth(&format!("/api/campaigns/{id}/recipients/upload-url"), &user.token, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    let key = grant["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with(&format!("staging/{}/", user.id)), "{key}");
    assert_eq!(grant["method"], "PUT");
    assert_eq!(grant["maxBytes"], 32 * 1024 * 1024);

    let file =
        xlsx(&[vec![Cell::Text("شماره تلفن")], vec![Cell::Number(9123456789.0)], vec![Cell::Text("+989121234567")]]);
    put_presigned(&app, &grant, file).await;
    let path = format!("/api/campaigns/{id}/recipients/import-staged");
    let body = expect_status(app.post_auth(&path, &user.token, &json!({"key": key})).await, StatusCode::OK).await;
    assert_eq!(body["recipientsCount"], 2);
    assert_eq!(body["campaign"]["status"], "READY");
    assert_eq!(phones(&app, id).await, ["989123456789", "989121234567"]);
    assert!(!object_exists(&app, &key).await, "the staged object is removed after the import");

    let again = app.post_auth(&path, &user.token, &json!({"key": key})).await;
    expect_error(again, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}

#[tokio::test]
async fn staged_keys_must_be_the_callers() {
    let app = TestApp::spawn().await;
    let owner = user(&app).await;
    let thief = crate::campaign_helpers::user(&app).await;
    let mine = create_campaign(&app, &owner, "mine").await;
    let theirs = create_campaign(&app, &thief, "theirs").await;
    let grant = expect_status(
        app.post_auth(&format!("/api/campaigns/{mine}/recipients/upload-url"), &owner.token, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    put_presigned(&app, &grant, b"phone\n09123456789\n".to_vec()).await;

    let path = format!("/api/campaigns/{theirs}/recipients/import-staged");
    let stolen = app.post_auth(&path, &thief.token, &json!({"key": grant["key"]})).await;
    expect_error(stolen, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    for key in ["campaigns/1/attachments/x.png", "staging/../templates/recipients.xlsx", "staging/1/abc"] {
        let response = app.post_auth(&path, &thief.token, &json!({"key": key})).await;
        let error = expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(error["errors"][0]["field"], "key");
    }
    let response = app.post_auth(&path, &thief.token, &json!({"key": 5})).await;
    expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(app.count("recipients").await, 0);
    assert!(object_exists(&app, grant["key"].as_str().unwrap()).await);
}

#[tokio::test]
async fn staged_lists_over_a_million_rows_are_refused() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "huge").await;
    let grant = expect_status(
        app.post_auth(&format!("/api/campaigns/{id}/recipients/upload-url"), &user.token, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    // 1,000,001 rows; every one invalid, so the row cap is what stops it.
    let csv = format!("phone\n{}", "x\n".repeat(1_000_001)).into_bytes();
    put_presigned(&app, &grant, csv).await;
    let path = format!("/api/campaigns/{id}/recipients/import-staged");
    let response = app.post_auth(&path, &user.token, &json!({"key": grant["key"]})).await;
    let error = expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE").await;
    assert!(error["message"].as_str().unwrap().contains("1,000,000"), "{error}");
    assert_eq!(app.count("recipients").await, 0);
}

#[tokio::test]
async fn staged_files_over_the_limit_are_refused_and_removed() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "too big").await;
    let grant = expect_status(
        app.post_auth(&format!("/api/campaigns/{id}/attachment/upload-url"), &user.token, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    let mut big = png();
    big.resize(20 * 1024 * 1024 + 1, 0);
    put_presigned(&app, &grant, big).await;
    let body = json!({"tempFilename": grant["tempFilename"], "originalName": "big.png", "mimetype": "image/png"});
    let response = app.post_auth(&format!("/api/campaigns/{id}/attachment/confirm"), &user.token, &body).await;
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE").await;
    assert!(!object_exists(&app, grant["key"].as_str().unwrap()).await);
    assert_eq!(app.count("attachments").await, 0);
}

#[tokio::test]
async fn attachments_stage_then_confirm_both_ways() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "staged attachment").await;

    // SPEC's temp upload, then confirm.
    let staged =
        upload(&app, &format!("/api/campaigns/{id}/attachment/temp"), &user.token, "attachment", "عکس.png", png())
            .await;
    let staged = expect_status(staged, StatusCode::OK).await;
    assert_eq!(staged["mimetype"], "image/png");
    assert_eq!(staged["originalName"], "عکس.png");
    let temp = staged["tempFilename"].as_str().unwrap().to_owned();
    let body = json!({"tempFilename": temp, "originalName": "عکس.png", "mimetype": "image/png"});
    let confirmed = expect_status(
        app.post_auth(&format!("/api/campaigns/{id}/attachment/confirm"), &user.token, &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(confirmed["attachment"]["originalName"], "عکس.png");
    assert!(!object_exists(&app, &temp).await);
    let first_key = confirmed["attachment"]["path"].as_str().unwrap().to_owned();

    // The presigned path; a lying mimetype does not matter, the bytes do.
    let grant = expect_status(
        app.post_auth(&format!("/api/campaigns/{id}/attachment/upload-url"), &user.token, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    put_presigned(&app, &grant, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n".to_vec()).await;
    let body = json!({"tempFilename": grant["tempFilename"], "originalName": "بروشور.pdf", "mimetype": "image/png"});
    let confirmed = expect_status(
        app.post_auth(&format!("/api/campaigns/{id}/attachment/confirm"), &user.token, &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(confirmed["attachment"]["mimetype"], "application/pdf");
    assert!(!object_exists(&app, &first_key).await, "the replaced attachment's object is deleted");
    assert_eq!(app.count("attachments").await, 1);

    // A staged file that is not an allowed type.
    let grant = expect_status(
        app.post_auth(&format!("/api/campaigns/{id}/attachment/upload-url"), &user.token, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    put_presigned(&app, &grant, b"MZ\x90\0\x03\0\0\0\x04\0".to_vec()).await;
    let body =
        json!({"tempFilename": grant["tempFilename"], "originalName": "setup.exe", "mimetype": "application/pdf"});
    let response = app.post_auth(&format!("/api/campaigns/{id}/attachment/confirm"), &user.token, &body).await;
    expect_error(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE").await;
    let details =
        expect_status(app.get_auth(&format!("/api/campaigns/{id}/attachment"), &user.token).await, StatusCode::OK)
            .await;
    assert_eq!(details["attachment"]["mimetype"], "application/pdf");

    let missing = json!({"tempFilename": format!("staging/{}/{}", user.id, "0".repeat(32))});
    let response = app.post_auth(&format!("/api/campaigns/{id}/attachment/confirm"), &user.token, &missing).await;
    expect_error(response, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}
