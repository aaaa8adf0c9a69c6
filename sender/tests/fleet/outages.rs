//! Outages of what the system stands on, mid-campaign: the campaign
//! completes once the part is back, and nobody is messaged twice.

use std::time::{Duration, Instant};

use reqwest::Method;
use wa_simulator::{Markup, SimulatorConfig};

use crate::{
    campaign::{campaign_with_recipients, nobody_twice, sent_count, start_and_wait_for},
    own_mariadb::OwnMariaDb,
    stack::{eventually, Stack},
};

#[tokio::test]
async fn a_database_restarted_mid_campaign_leaves_the_campaign_complete_and_nobody_messaged_twice() {
    let mut mariadb = OwnMariaDb::start();
    let simulator =
        SimulatorConfig { delivery_delay: Duration::from_millis(100), ..SimulatorConfig::quick(Markup::M2026) };
    let mut stack = Stack::on_database_server(simulator, &mariadb.url()).await;
    stack.spawn_sender("db");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with_recipients(&stack, &token, 12).await;
    let mut socket = stack.websocket(id, &token).await;
    start_and_wait_for(&stack, &token, id, &mut socket, 3).await;

    let restarted_at = Instant::now();
    let sent_before = sent_count(&stack, id).await.unwrap_or_default();
    mariadb.restart();
    eventually("a send after the restart", Duration::from_secs(120), || async {
        (sent_count(&stack, id).await? > sent_before).then_some(())
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
