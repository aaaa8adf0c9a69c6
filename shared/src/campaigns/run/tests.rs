//! Against the MariaDB of `TEST_DATABASE_URL` (what `infra/dev.sh test`
//! sets up), in a fresh migrated database each: every move a caller asks
//! for is refused when SPEC's state machine does not allow it, and nothing
//! is written then.

use sqlx::MySqlPool;

use super::{start::Launch, *};
use crate::{domain::CampaignStatus::*, repo::whatsapp_accounts};

struct Scratch {
    db: MySqlPool,
    pusher: Pusher,
    name: String,
    user_id: i64,
}

impl Scratch {
    async fn new() -> Self {
        let (db, name) = crate::db::scratch_database(4).await;
        crate::db::MIGRATOR.run(&db).await.unwrap();
        let user_id = sqlx::query(
            "INSERT INTO users (name, email, phone, password_hash) VALUES ('Owner', 'o@example.com', '989120000000', 'x')",
        )
        .execute(&db)
        .await
        .unwrap()
        .last_insert_id() as i64;
        // No management endpoint: pushes are skipped.
        let pusher = Pusher::new(&aws_config::SdkConfig::builder().build(), None, db.clone());
        Scratch { db, pusher, name, user_id }
    }

    /// A campaign of the owner in `status`, sending from `account`.
    async fn campaign(&self, status: CampaignStatus, account: Option<i64>) -> i64 {
        sqlx::query("INSERT INTO campaigns (user_id, message, status, whatsapp_account_id) VALUES (?, 'Hi', ?, ?)")
            .bind(self.user_id)
            .bind(status.as_str())
            .bind(account)
            .execute(&self.db)
            .await
            .unwrap()
            .last_insert_id() as i64
    }

    async fn record(&self, id: i64) -> CampaignRecord {
        campaigns::find(&self.db, id).await.unwrap().unwrap()
    }

    async fn status(&self, id: i64) -> CampaignStatus {
        self.record(id).await.status
    }

    async fn drop(self) {
        sqlx::query(&format!("DROP DATABASE `{}`", self.name)).execute(&self.db).await.unwrap();
        self.db.close().await;
    }
}

fn assert_refused(err: ApiError) {
    assert_eq!((err.status().as_u16(), err.code()), (409, "INVALID_CAMPAIGN_STATE"), "{err}");
}

#[test]
fn the_sender_pauses_and_completes_only_running_campaigns() {
    assert_eq!(sources(Paused), CampaignStatus::RUNNING);
    assert_eq!(sources(Completed), CampaignStatus::RUNNING);
}

#[test]
fn a_refused_move_is_a_409_naming_both_states() {
    let err = ApiError::from(check(Completed, Running).unwrap_err());
    assert_eq!(err.to_string(), "A COMPLETED campaign cannot become RUNNING");
    assert_refused(err);
}

#[tokio::test]
async fn a_completed_campaign_cannot_be_started() {
    let s = Scratch::new().await;
    let id = s.campaign(Completed, None).await;
    assert_refused(start::admit(&s.db, id, Starter::User(s.user_id), Launch::Start).await.unwrap_err());
    assert_refused(start::admit(&s.db, id, Starter::Scheduler, Launch::Start).await.unwrap_err());
    assert_eq!(s.status(id).await, Completed);
    s.drop().await;
}

#[tokio::test]
async fn a_running_campaign_cannot_be_resumed() {
    let s = Scratch::new().await;
    let id = s.campaign(Running, None).await;
    assert_refused(start::admit(&s.db, id, Starter::User(s.user_id), Launch::Resume).await.unwrap_err());
    assert_eq!(s.status(id).await, Running);
    s.drop().await;
}

#[tokio::test]
async fn a_ready_campaign_is_started_not_resumed() {
    let s = Scratch::new().await;
    let id = s.campaign(Ready, None).await;
    assert_refused(start::admit(&s.db, id, Starter::User(s.user_id), Launch::Resume).await.unwrap_err());
    // Past the state check, a start meets the next rule: no recipients.
    let err = start::admit(&s.db, id, Starter::User(s.user_id), Launch::Start).await.unwrap_err();
    assert_eq!(err.code(), "NO_RECIPIENTS");
    s.drop().await;
}

#[tokio::test]
async fn a_draft_campaign_cannot_be_paused_by_its_owner() {
    let s = Scratch::new().await;
    let id = s.campaign(Draft, None).await;
    assert_refused(move_owned(&s.db, s.user_id, id, Paused).await.unwrap_err());
    assert_eq!(s.status(id).await, Draft);
    s.drop().await;
}

#[tokio::test]
async fn a_running_campaign_is_paused_by_its_owner() {
    let s = Scratch::new().await;
    let id = s.campaign(Running, None).await;
    assert_eq!(move_owned(&s.db, s.user_id, id, Paused).await.unwrap().status, Paused);
    s.drop().await;
}

#[tokio::test]
async fn a_paused_campaign_cannot_be_completed() {
    let s = Scratch::new().await;
    let id = s.campaign(Paused, None).await;
    assert!(!complete(&s.db, &s.pusher, id).await.unwrap());
    let campaign = s.record(id).await;
    assert_eq!((campaign.status, campaign.completed_at), (Paused, None));
    s.drop().await;
}

#[tokio::test]
async fn a_running_campaign_completes_with_its_report() {
    let s = Scratch::new().await;
    let id = s.campaign(Running, None).await;
    assert!(complete(&s.db, &s.pusher, id).await.unwrap());
    let campaign = s.record(id).await;
    assert_eq!(campaign.status, Completed);
    assert!(campaign.completed_at.is_some());
    s.drop().await;
}

#[tokio::test]
async fn a_draft_campaign_is_not_paused_with_a_reason() {
    let s = Scratch::new().await;
    let id = s.campaign(Draft, None).await;
    let paused = pause_with_reason(&s.db, &s.pusher, Halt::Campaign(id), "WhatsApp Web changed").await.unwrap();
    assert!(paused.is_empty());
    let campaign = s.record(id).await;
    assert_eq!((campaign.status, campaign.failure_reason), (Draft, None));
    s.drop().await;
}

#[tokio::test]
async fn only_the_running_campaigns_of_a_number_are_paused_with_its_reason() {
    let s = Scratch::new().await;
    let account = whatsapp_accounts::create_linking(&s.db, s.user_id).await.unwrap();
    let running = s.campaign(Running, Some(account)).await;
    let legacy = s.campaign(Active, Some(account)).await;
    let ready = s.campaign(Ready, Some(account)).await;
    let completed = s.campaign(Completed, Some(account)).await;
    let elsewhere = s.campaign(Running, None).await;
    let paused = pause_with_reason(&s.db, &s.pusher, Halt::Number(account), "Logged out").await.unwrap();
    assert_eq!(paused, vec![running, legacy]);
    assert_eq!(s.record(running).await.failure_reason.as_deref(), Some("Logged out"));
    assert_eq!(s.status(legacy).await, Paused);
    assert_eq!((s.status(ready).await, s.status(completed).await), (Ready, Completed));
    assert_eq!(s.status(elsewhere).await, Running);
    s.drop().await;
}

#[tokio::test]
async fn a_banned_owners_running_campaigns_pause_and_the_others_stay() {
    let s = Scratch::new().await;
    let running = s.campaign(Running, None).await;
    let draft = s.campaign(Draft, None).await;
    assert_eq!(pause_all_of_owner(&s.db, s.user_id, "Banned").await.unwrap(), 1);
    assert_eq!((s.status(running).await, s.status(draft).await), (Paused, Draft));
    s.drop().await;
}

#[tokio::test]
async fn a_paused_campaign_does_not_wait_for_the_governor() {
    let s = Scratch::new().await;
    let id = s.campaign(Paused, None).await;
    let until = Utc::now() + chrono::TimeDelta::hours(1);
    assert!(!wait(&s.db, &s.pusher, id, until, WaitReason::OutsideSendingHours).await.unwrap());
    assert_eq!(s.record(id).await.waiting_until, None);
    let running = s.campaign(Running, None).await;
    assert!(wait(&s.db, &s.pusher, running, until, WaitReason::OutsideSendingHours).await.unwrap());
    assert!(s.record(running).await.waiting().is_some());
    s.drop().await;
}

#[tokio::test]
async fn a_completed_campaign_takes_no_new_recipient_list() {
    let s = Scratch::new().await;
    let id = s.campaign(Completed, None).await;
    let campaign = s.record(id).await;
    assert_refused(recipients_imported(&s.db, &campaign, 3, &[]).await.unwrap_err());
    assert_eq!(s.record(id).await.total_recipients, 0);
    s.drop().await;
}

#[tokio::test]
async fn any_campaign_can_fail_with_its_reason() {
    let s = Scratch::new().await;
    for status in [Draft, Ready, Paused, Completed] {
        let id = s.campaign(status, None).await;
        fail(&s.db, &s.pusher, id, "Scheduled start refused").await.unwrap();
        assert_eq!(s.status(id).await, Failed, "from {status}");
    }
    s.drop().await;
}
