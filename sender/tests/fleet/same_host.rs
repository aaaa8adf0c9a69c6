//! Senders that share a host: a sender started in the place of one just
//! killed with -9 (its ops port, its profiles) comes up at once and carries
//! its campaign on; an ops port still held is waited for, and named.

use std::time::{Duration, Instant};

use reqwest::Method;
use shared::repo::session_leases;

use crate::{
    campaign::{campaign_with_recipients, nobody_twice, start_and_wait_for},
    stack::{events_until, eventually, Stack},
};

#[tokio::test]
async fn a_sender_started_on_the_port_of_one_just_killed_takes_its_campaign_over() {
    let mut stack = Stack::start().await;
    let first = stack.spawn_sender("first");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with_recipients(&stack, &token, 6).await;
    let mut socket = stack.websocket(id, &token).await;
    start_and_wait_for(&stack, &token, id, &mut socket, 2).await;
    let lease = session_leases::campaign_owner(&stack.db, id).await.unwrap().expect("an owner");
    assert_eq!(lease.sender_id, first);

    let port = stack.ops_port(&first);
    // A health checker's connection: the kill leaves it in TIME_WAIT on the port.
    ops_port_answers(&stack, port, "the first sender's").await;
    let killed_at = Instant::now();
    stack.kill_sender_alone(&first);
    let successor = stack.spawn_sender_in_place_of(&first, "second");
    ops_port_answers(&stack, port, "the successor's").await;
    println!("recovery: kill -9 → successor's ops port answers after {:.1} s", killed_at.elapsed().as_secs_f64());

    let events = events_until(&mut socket, "completion_update", Duration::from_secs(120)).await;
    let log = stack.sender_log(&successor);
    assert!(events.iter().all(|e| e["type"] != "qr_code"), "the takeover needed no new QR: {events:?}\n{log}");
    assert!(!log.contains("is taken"), "the port was free at once; its log:\n{log}");
    let took_over = log.lines().any(|line| {
        line.contains("session starting") && line.contains(&format!("\"account.id\":{}", lease.account_id))
    });
    assert!(took_over, "the successor ran the campaign's session; its log:\n{log}");
    // A message in flight at the kill is UNKNOWN (never sent again); every
    // other recipient got exactly one.
    nobody_twice(&stack, id, &phones, &["UNKNOWN"]).await;
    let (_, campaign) = stack.call(Method::GET, &format!("/api/campaigns/{id}"), &token, None).await;
    assert_eq!(campaign["campaign"]["status"], "COMPLETED", "{campaign}");
}

#[tokio::test]
async fn a_sender_whose_ops_port_is_still_held_says_so_and_waits_for_it() {
    let mut stack = Stack::start().await;
    let first = stack.spawn_sender("first");
    let port = stack.ops_port(&first);
    ops_port_answers(&stack, port, "the first sender's").await;
    stack.kill_sender(&first);
    // As a predecessor the kernel has not finished tearing down would.
    let holder = std::net::TcpListener::bind((std::net::Ipv4Addr::UNSPECIFIED, port)).unwrap();
    let successor = stack.spawn_sender_in_place_of(&first, "second");
    let said = eventually("the successor names the taken port", Duration::from_secs(10), || async {
        let log = stack.sender_log(&successor);
        log.lines().find(|line| line.contains("is taken") && line.contains(&port.to_string())).map(str::to_owned)
    })
    .await;
    assert!(said.contains("SENDER_OPS_PORT"), "the line names the setting: {said}");
    drop(holder);
    ops_port_answers(&stack, port, "the successor's").await;
}

async fn ops_port_answers(stack: &Stack, port: u16, whose: &str) {
    let url = format!("http://127.0.0.1:{port}/healthz");
    eventually(&format!("{whose} ops port answering"), Duration::from_secs(20), || async {
        stack.http.get(&url).send().await.ok().filter(|r| r.status().is_success()).map(|_| ())
    })
    .await;
}
