use reqwest::StatusCode;

use crate::{
    campaign_helpers::{create_campaign, delete_auth, object_exists, png, set_status, upload, user, xlsx, Cell},
    helpers::{expect_error, expect_status, TestApp},
};

#[tokio::test]
async fn an_image_is_stored_and_downloadable() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "with image").await;
    let path = format!("/api/campaigns/{id}/attachment");
    let body = expect_status(
        upload(&app, &path, &user.token, "attachment", "تخفیف ویژه.jpeg", png()).await,
        StatusCode::CREATED,
    )
    .await;
    let attachment = &body["attachment"];
    assert_eq!(attachment["mimetype"], "image/png", "detected from the bytes, not the name");
    assert_eq!(attachment["originalName"], "تخفیف ویژه.jpeg");
    assert_eq!(attachment["size"], png().len());
    assert_eq!(attachment["campaignId"], id);
    let key = attachment["path"].as_str().unwrap();
    assert!(key.starts_with(&format!("campaigns/{id}/attachments/")) && key.ends_with(".png"), "{key}");

    let details = expect_status(app.get_auth(&path, &user.token).await, StatusCode::OK).await;
    let url = details["attachment"]["downloadUrl"].as_str().unwrap();
    let downloaded = app.client.get(url).send().await.unwrap();
    assert!(downloaded.status().is_success());
    assert_eq!(downloaded.bytes().await.unwrap().to_vec(), png());

    let campaign =
        expect_status(app.get_auth(&format!("/api/campaigns/{id}"), &user.token).await, StatusCode::OK).await;
    assert_eq!(campaign["campaign"]["attachment"]["id"], attachment["id"]);
}

#[tokio::test]
async fn documents_of_every_family_are_accepted() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "docs").await;
    let path = format!("/api/campaigns/{id}/attachment");
    let sheet = xlsx(&[vec![Cell::Text("a")]]);
    for (name, bytes, mime) in [
        ("catalog.pdf", b"%PDF-1.7\n1 0 obj\n".to_vec(), "application/pdf"),
        ("prices.xlsx", sheet, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("clip.mp4", b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec(), "video/mp4"),
    ] {
        let body =
            expect_status(upload(&app, &path, &user.token, "attachment", name, bytes).await, StatusCode::CREATED).await;
        assert_eq!(body["attachment"]["mimetype"], mime, "{name}");
    }
    assert_eq!(app.count("attachments").await, 1, "one attachment per campaign");
}

/// A zip archive that is not an Office document.
fn plain_zip() -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer.start_file("word/notes.txt", zip::write::SimpleFileOptions::default()).unwrap();
    writer.write_all(b"not a document").unwrap();
    writer.finish().unwrap().into_inner()
}

#[tokio::test]
async fn wrong_types_and_sizes_are_refused() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "strict").await;
    let path = format!("/api/campaigns/{id}/attachment");
    for (name, bytes) in [
        ("photo.png", b"MZ\x90\0\x03\0\0\0\x04\0\0\0".to_vec()),
        ("notes.pdf", b"plain text pretending".to_vec()),
        ("report.docx", plain_zip()),
    ] {
        let response = upload(&app, &path, &user.token, "attachment", name, bytes).await;
        expect_error(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE").await;
    }
    let mut big = png();
    big.resize(20 * 1024 * 1024 + 1, 0);
    let response = upload(&app, &path, &user.token, "attachment", "big.png", big).await;
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE").await;
    let response = upload(&app, &path, &user.token, "attachment", "empty.png", Vec::new()).await;
    expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(app.count("attachments").await, 0);
    let response = app.get_auth(&path, &user.token).await;
    expect_error(response, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}

#[tokio::test]
async fn delete_removes_the_row_and_the_object() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "remove").await;
    let path = format!("/api/campaigns/{id}/attachment");
    let body =
        expect_status(upload(&app, &path, &user.token, "attachment", "a.png", png()).await, StatusCode::CREATED).await;
    let key = body["attachment"]["path"].as_str().unwrap().to_owned();

    set_status(&app, id, "RUNNING").await;
    expect_error(delete_auth(&app, &path, &user.token).await, StatusCode::CONFLICT, "INVALID_CAMPAIGN_STATE").await;
    let response = upload(&app, &path, &user.token, "attachment", "b.png", png()).await;
    expect_error(response, StatusCode::CONFLICT, "INVALID_CAMPAIGN_STATE").await;
    assert!(object_exists(&app, &key).await);

    set_status(&app, id, "READY").await;
    expect_status(delete_auth(&app, &path, &user.token).await, StatusCode::OK).await;
    assert_eq!(app.count("attachments").await, 0);
    assert!(!object_exists(&app, &key).await);
    expect_error(delete_auth(&app, &path, &user.token).await, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}
