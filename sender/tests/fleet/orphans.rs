//! A sender killed with -9 takes its chromedriver and browsers with it: no
//! Chromium stays online as the linked device, holding the profile, while
//! another sender restores the same session.

use std::time::Duration;

use crate::{
    campaign::{campaign_with_recipients, connect_whatsapp},
    stack::{eventually, process_alive, Stack},
};

#[tokio::test]
async fn a_sender_killed_with_9_leaves_no_browser_behind() {
    let mut stack = Stack::start().await;
    let sender = stack.spawn_sender("k");
    let token = stack.customer_with_package().await;
    let (id, _) = campaign_with_recipients(&stack, &token, 2).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    assert!(!stack.processes_on_profiles_of(&sender).is_empty(), "a browser runs on the sender's profile");

    let killed_at = std::time::Instant::now();
    let children = stack.kill_sender_alone(&sender);
    assert!(children.len() >= 2, "chromedriver and a browser ran under the sender: {children:?}");
    eventually("every process of the killed sender gone", Duration::from_secs(20), || async {
        let left: Vec<u32> = children.iter().copied().filter(|&pid| process_alive(pid)).collect();
        (left.is_empty() && stack.processes_on_profiles_of(&sender).is_empty()).then_some(())
    })
    .await;
    println!("recovery: sender kill -9 → its browsers gone after {:.1} s", killed_at.elapsed().as_secs_f64());
}
