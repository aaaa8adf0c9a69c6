//! The AWS emulator restarted mid-campaign: every queue is gone. With
//! `QUEUES_CREATE=auto` (the local default) senders and the API create what
//! they need again and the campaign completes, nobody messaged twice; with
//! `never` (production: CloudFormation owns the queues) a sender stops with
//! one error naming the queue and a non-zero exit instead of polling a
//! missing queue forever.

use std::time::{Duration, Instant};

use reqwest::Method;
use wa_simulator::{Markup, SimulatorConfig};

use crate::{
    campaign::{campaign_with, received_counts, start_and_wait_for},
    own_moto::OwnMoto,
    stack::{eventually, Stack},
};

fn simulator() -> SimulatorConfig {
    SimulatorConfig { delivery_delay: Duration::from_millis(100), ..SimulatorConfig::quick(Markup::M2026) }
}

/// Whether the emulator has a queue whose name ends with `suffix`.
async fn has_queue(stack: &Stack, suffix: &str) -> bool {
    let Ok(listed) = stack.sqs.list_queues().send().await else { return false };
    listed.queue_urls().iter().any(|url| url.ends_with(suffix))
}

#[tokio::test]
async fn queues_lost_with_a_restarted_emulator_are_recreated_and_the_campaign_completes_once_each() {
    let mut moto = OwnMoto::start();
    let mut stack = Stack::on_aws_endpoint(simulator(), &moto.url()).await;
    let sender = stack.spawn_sender("aws");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with(&stack, &token, 12, false).await;
    let mut socket = stack.websocket(id, &token).await;
    start_and_wait_for(&stack, &token, id, &mut socket, 3).await;
    let sessions_name = stack.sessions_queue.rsplit('/').next().unwrap().to_owned();
    let inbox_name = format!("-inbox-{sender}");

    let restarted_at = Instant::now();
    moto.restart();
    assert!(!has_queue(&stack, &sessions_name).await, "the restarted emulator starts empty");
    eventually("the sender's queues exist again", Duration::from_secs(30), || async {
        (has_queue(&stack, &sessions_name).await && has_queue(&stack, &inbox_name).await).then_some(())
    })
    .await;
    println!("recovery: AWS emulator restart → queues recreated after {:.1} s", restarted_at.elapsed().as_secs_f64());

    // Commands flow again: the API reaches the owner through its new inbox.
    let (status, paused) = stack.call(Method::POST, &format!("/api/campaigns/{id}/pause"), &token, None).await;
    assert_eq!(status, 200, "{paused}");
    let (status, resumed) = stack.call(Method::POST, &format!("/api/campaigns/{id}/resume"), &token, None).await;
    assert_eq!(status, 200, "{resumed}");
    eventually("the campaign completed", Duration::from_secs(120), || async {
        let (_, campaign) = stack.call(Method::GET, &format!("/api/campaigns/{id}"), &token, None).await;
        (campaign["campaign"]["status"] == "COMPLETED").then_some(())
    })
    .await;
    println!("recovery: AWS emulator restart → campaign completed after {:.1} s", restarted_at.elapsed().as_secs_f64());

    let counts = received_counts(&stack).await;
    for phone in &phones {
        assert_eq!(counts.get(phone).copied().unwrap_or(0), 1, "{phone} messaged once");
    }
    assert!(stack.sender_alive(&sender), "the sender carried on");
    let log = stack.sender_log(&sender);
    assert!(log.contains("created it again"), "the sender says what it recreated:\n{log}");
    drop(socket);
}

#[tokio::test]
async fn without_queue_creation_a_sender_whose_queue_vanished_stops_with_one_error_naming_it() {
    let mut moto = OwnMoto::start();
    let mut stack = Stack::on_aws_endpoint(simulator(), &moto.url()).await;
    stack.set_sender_env("QUEUES_CREATE", "never");
    let sender = stack.spawn_sender("strict");
    let ops = stack.ops_url(&sender);
    eventually("the sender is ready", Duration::from_secs(30), || async {
        let response = stack.http.get(format!("{ops}/readyz")).send().await.ok()?;
        (response.status() == 200).then_some(())
    })
    .await;

    let restarted_at = Instant::now();
    moto.restart();
    let status = stack.wait_for_sender_exit(&sender, Duration::from_secs(45));
    println!(
        "recovery: AWS emulator restart (QUEUES_CREATE=never) → sender stopped after {:.1} s",
        restarted_at.elapsed().as_secs_f64()
    );

    assert_eq!(status.code(), Some(3), "a distinct non-zero exit");
    let log = stack.sender_log(&sender);
    let errors: Vec<&str> = log.lines().filter(|line| line.contains("\"level\":\"ERROR\"")).collect();
    assert_eq!(errors.len(), 1, "one error:\n{log}");
    assert!(errors[0].contains("does not exist") && errors[0].contains("QUEUES_CREATE=never"), "{}", errors[0]);
    let names_a_queue = errors[0].contains(&format!("inbox-{sender}")) || errors[0].contains("-sessions");
    assert!(names_a_queue, "the error names the queue: {}", errors[0]);
}
