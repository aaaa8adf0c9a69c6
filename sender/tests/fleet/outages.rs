//! Outages of what the system stands on, mid-campaign: the campaign
//! completes once the part is back, and nobody is messaged twice.

use std::time::{Duration, Instant};

use reqwest::Method;
use wa_simulator::{Markup, SimulatorConfig};

use crate::{
    campaign::{campaign_with_recipients, connect_whatsapp, nobody_twice},
    own_mariadb::OwnMariaDb,
    stack::{eventually, Stack},
};

#[tokio::test]
async fn a_database_restarted_mid_campaign_leaves_the_campaign_complete_and_nobody_messaged_twice() {
    let mut mariadb = OwnMariaDb::start();
    let simulator =
        SimulatorConfig { delivery_delay: Duration::from_millis(100), ..SimulatorConfig::quick(Markup::Current) };
    let mut stack = Stack::on_database_server(simulator, &mariadb.url()).await;
    stack.spawn_sender("db");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with_recipients(&stack, &token, 12).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let (status, _) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(status, 200);
    let db = stack.db.clone();
    let sent_count = || async {
        sqlx::query_scalar::<_, i32>("SELECT sent_count FROM campaigns WHERE id = ?").bind(id).fetch_one(&db).await.ok()
    };
    eventually("three messages out", Duration::from_secs(60), || async { (sent_count().await? >= 3).then_some(()) })
        .await;

    let restarted_at = Instant::now();
    let sent_before = sent_count().await.unwrap_or_default();
    mariadb.restart();
    eventually("a send after the restart", Duration::from_secs(120), || async {
        (sent_count().await? > sent_before).then_some(())
    })
    .await;
    println!("recovery: MariaDB restart → next send after {:.1} s", restarted_at.elapsed().as_secs_f64());

    eventually("the campaign completed", Duration::from_secs(120), || async {
        let (_, campaign) = stack.call(Method::GET, &format!("/api/campaigns/{id}"), &token, None).await;
        (campaign["campaign"]["status"] == "COMPLETED").then_some(())
    })
    .await;
    // In flight when the database went away: never sent again.
    nobody_twice(&stack, id, &phones, &["UNKNOWN", "FAILED"]).await;
    drop(socket);
}
