//! Requests racing for one campaign: every one is answered 200 or a clean
//! 409 (never a 500 from an InnoDB deadlock), the quota is set aside once,
//! the sender is told once per change, and the campaign ends in a state
//! one of the requests put it in.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    campaign_helpers::{commands_in, create_campaign, import, inbox, linked, subscribed, user, User},
    helpers::{expect_status, TestApp},
};

const LIST: &str = "phone\n09120000001\n09120000002\n09120000003\n";

/// A subscribed user's READY campaign of three recipients, linked to a
/// (test) sender whose inbox is the returned queue.
async fn ready_campaign(app: &TestApp) -> (User, i64, String) {
    let user = user(app).await;
    subscribed(app, &user).await;
    let inbox = inbox(app).await;
    let id = create_campaign(app, &user, "مسابقه").await;
    expect_status(import(app, &user, id, "list.csv", LIST.as_bytes().to_vec()).await, StatusCode::OK).await;
    linked(app, id, &inbox).await;
    (user, id, inbox)
}

/// POST every action on the campaign at once; each answer's status and body.
async fn fire_at_once(app: &TestApp, user: &User, id: i64, actions: &[&str]) -> Vec<(StatusCode, Value)> {
    let mut racers = tokio::task::JoinSet::new();
    for action in actions {
        let request = app
            .client
            .post(app.url(&format!("/api/campaigns/{id}/{action}")))
            .bearer_auth(&user.token)
            .json(&json!({}));
        racers.spawn(async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let text = response.text().await.unwrap();
            (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}")))
        });
    }
    racers.join_all().await
}

/// Every refusal is a 409 in the error envelope, for a state that moved
/// meanwhile or a lock conflict that outlived its retries.
fn assert_only_ok_or_conflict(answers: &[(StatusCode, Value)]) {
    for (status, body) in answers {
        match *status {
            StatusCode::OK => assert_eq!(body["success"], true, "{body}"),
            StatusCode::CONFLICT => {
                assert_eq!(body["success"], false, "{body}");
                let code = body["code"].as_str().unwrap_or_default();
                assert!(["INVALID_CAMPAIGN_STATE", "CONCURRENT_UPDATE"].contains(&code), "{body}");
            }
            other => panic!("answered {other}: {body}"),
        }
    }
}

async fn status_of(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM campaigns WHERE id = ?").bind(id).fetch_one(&app.db).await.unwrap()
}

async fn reserved(app: &TestApp, id: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT reserved FROM quota_reservations WHERE campaign_id = ?")
        .bind(id)
        .fetch_optional(&app.db)
        .await
        .unwrap()
}

/// The kinds of the commands waiting on `queue`.
async fn kinds(app: &TestApp, queue: &str) -> Vec<String> {
    let mut kinds = Vec::new();
    loop {
        let batch = commands_in(app, queue).await;
        if batch.is_empty() {
            return kinds;
        }
        kinds.extend(
            batch.iter().map(|body| serde_json::from_str::<Value>(body).unwrap()["kind"].as_str().unwrap().to_owned()),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_racing_starts_start_the_campaign_once_and_refuse_the_rest_with_409() {
    let app = TestApp::spawn().await;
    let (user, id, inbox) = ready_campaign(&app).await;

    let answers = fire_at_once(&app, &user, id, &["start"; 20]).await;

    assert_only_ok_or_conflict(&answers);
    let started = answers.iter().filter(|(status, _)| *status == StatusCode::OK).count();
    assert_eq!(started, 1, "{answers:?}");
    assert_eq!(status_of(&app, id).await, "RUNNING");
    assert_eq!(reserved(&app, id).await, Some(3), "the three recipients' messages, set aside once");
    let subscription =
        expect_status(app.get_auth("/api/campaigns/subscription", &user.token).await, StatusCode::OK).await;
    assert_eq!(subscription["subscription"]["reserved"], 3, "{subscription}");
    assert_eq!(kinds(&app, &inbox).await, ["start"], "only the start that won tells the sender");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_resumes_and_pauses_answer_200_or_409_and_leave_the_campaign_running_or_paused() {
    let app = TestApp::spawn().await;
    let (user, id, inbox) = ready_campaign(&app).await;
    expect_status(app.post_auth(&format!("/api/campaigns/{id}/start"), &user.token, &json!({})).await, StatusCode::OK)
        .await;

    let pairs: Vec<&str> = (0..20).map(|i| if i % 2 == 0 { "resume" } else { "pause" }).collect();
    let answers = fire_at_once(&app, &user, id, &pairs).await;

    assert_only_ok_or_conflict(&answers);
    let status = status_of(&app, id).await;
    assert!(["RUNNING", "PAUSED"].contains(&status.as_str()), "{status}");
    assert_eq!(reserved(&app, id).await, Some(3), "pausing keeps the reservation, resuming sets the same");
    // The sender heard of every change that was answered 200, and of no other.
    let changes = answers.iter().filter(|(status, _)| *status == StatusCode::OK).count();
    assert_eq!(kinds(&app, &inbox).await.len(), 1 + changes, "{answers:?}");
}
