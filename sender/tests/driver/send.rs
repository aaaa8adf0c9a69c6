//! Sending text and attachments, ticks (sent → delivered → read), numbers
//! that are not on WhatsApp, chats opened inside the app, and drift.

use std::time::{Duration, Instant};

use sender::driver::{qr, ChatOpening, MessageStatus, SendError, SendOutcome, Timeouts, WhatsAppSession};
use sha2::{Digest, Sha256};
use shared::domain::Phone;
use wa_simulator::{DeliveryStatus, Markup, SimulatorConfig};

use crate::{
    helpers::{phone, quick_simulator, test_timeouts, Harness},
    on_every_markup,
};

on_every_markup!(
    text_arrives_exactly_and_ticks_go_sent_delivered_read,
    media_arrive_with_name_size_and_caption,
    a_number_not_on_whatsapp_fails_alone,
);

/// Waits until the newest message to `to` shows `wanted` (read also counts
/// as delivered).
async fn wait_for_status(session: &WhatsAppSession, to: &Phone, wanted: MessageStatus) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = session.message_status(to).await.unwrap();
        if status == Some(wanted) {
            return;
        }
        assert!(Instant::now() < deadline, "still {status:?}, waiting for {wanted:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn text_arrives_exactly_and_ticks_go_sent_delivered_read(markup: Markup) {
    // Receipts come only when the test pushes them.
    let simulator = SimulatorConfig { delivery_delay: Duration::from_secs(3600), ..quick_simulator(markup) };
    let harness = Harness::with(simulator).await;
    let session = harness.logged_in("text").await;
    let maryam = phone("09121234567");
    let texts = ["سلام مریم جان! تخفیف ۲۰٪ فقط تا جمعه 🎉🔥\nبا ما همراه باشید.", "Second message: a+b & c=d? 100% ✅"];

    let mut ids = Vec::new();
    for text in texts {
        match session.send_text(&maryam, text).await.unwrap() {
            SendOutcome::Sent { message_id } => ids.push(message_id),
            other => panic!("expected Sent, got {other:?}"),
        }
    }
    assert_ne!(ids[0], ids[1]);

    let received = harness.control.messages(Some(maryam.as_str())).await.unwrap();
    let got: Vec<_> = received.iter().map(|m| m.text.as_deref().unwrap()).collect();
    assert_eq!(got, texts, "emoji and the newline survive typing");
    let device = &harness.control.devices().await.unwrap()[0];
    assert!(received.iter().all(|m| m.device == device.id && m.to == "989121234567" && m.attachment.is_none()));
    assert!(ids[1].ends_with(&received[1].id), "{} is WhatsApp's key of {}", ids[1], received[1].id);

    // One tick, then two, then two blue ones, read from the open chat.
    assert_eq!(session.message_status(&maryam).await.unwrap(), Some(MessageStatus::Sent));
    harness.control.receipts(maryam.as_str(), DeliveryStatus::Delivered).await.unwrap();
    wait_for_status(&session, &maryam, MessageStatus::Delivered).await;
    harness.control.receipts(maryam.as_str(), DeliveryStatus::Read).await.unwrap();
    wait_for_status(&session, &maryam, MessageStatus::Read).await;

    // Another chat, then back: a chat that is not open is opened to read them.
    let other = phone("989351234567");
    assert!(matches!(session.send_text(&other, "hi").await.unwrap(), SendOutcome::Sent { .. }));
    wait_for_status(&session, &maryam, MessageStatus::Read).await;

    // Each markup was read through its own alternatives: the 2026 rows
    // (conv-msg- test ids) first in the list, the 2025 true_/false_ ids
    // next, the legacy data-icon ticks and buttons as the fallback.
    let matched = session.matched_alternatives();
    let index = |hook: &str| matched.iter().find(|(h, ..)| h == hook).map(|(_, i, _)| *i);
    let expected = match markup {
        Markup::M2026 => (Some(0), Some(0), Some(0)),
        Markup::M2025 => (Some(0), Some(0), Some(1)),
        Markup::Legacy => (Some(2), Some(2), Some(1)),
    };
    assert_eq!((index("send"), index("ticks"), index("message-row")), expected, "{matched:?}");

    // Every chat opened inside the running app: no reload per message.
    let opens = session.chat_opens();
    assert_eq!(opens.reloads, 0, "{opens:?}");
    assert!(opens.in_app >= 3, "{opens:?}");

    session.close().await.unwrap();
    harness.finish().await;
}

async fn media_arrive_with_name_size_and_caption(markup: Markup) {
    let harness = Harness::start(markup).await;
    let session = harness.logged_in("media").await;
    let to = phone("989121234567");
    let files = tempfile::tempdir().unwrap();

    // A photo (any real PNG will do: the QR renderer makes one) and a document.
    let photo = files.path().join("offer.png");
    std::fs::write(&photo, qr::render_png("a photo").unwrap()).unwrap();
    let document = files.path().join("لیست قیمت.pdf");
    let pdf: Vec<u8> = b"%PDF-1.4\n".iter().copied().chain((0..50_000u32).map(|i| (i % 251) as u8)).collect();
    std::fs::write(&document, &pdf).unwrap();

    let caption = "پیشنهاد ویژه 🎁 for you\nline two";
    let sent = session.send_media(&to, &photo, "image/png", caption).await.unwrap();
    assert!(matches!(sent, SendOutcome::Sent { .. }), "{sent:?}");
    let sent = session.send_media(&to, &document, "application/pdf", "").await.unwrap();
    assert!(matches!(sent, SendOutcome::Sent { .. }), "{sent:?}");

    let received = harness.control.messages(Some(to.as_str())).await.unwrap();
    assert_eq!(received.len(), 2);
    let image = received[0].attachment.as_ref().expect("an attachment");
    assert_eq!((image.name.as_str(), image.mime.as_str()), ("offer.png", "image/png"));
    assert_eq!(image.size, std::fs::metadata(&photo).unwrap().len());
    assert_eq!(image.sha256, hex::encode(Sha256::digest(std::fs::read(&photo).unwrap())));
    assert_eq!(received[0].caption.as_deref(), Some(caption));
    assert_eq!(received[0].text, None);

    let doc = received[1].attachment.as_ref().expect("an attachment");
    assert_eq!((doc.name.as_str(), doc.mime.as_str()), ("لیست قیمت.pdf", "application/pdf"));
    assert_eq!((doc.size, doc.sha256.clone()), (pdf.len() as u64, hex::encode(Sha256::digest(&pdf))));
    assert_eq!(received[1].caption, None);
    assert_eq!(session.chat_opens().reloads, 0);

    session.close().await.unwrap();
    harness.finish().await;
}

async fn a_number_not_on_whatsapp_fails_alone(markup: Markup) {
    let harness = Harness::start(markup).await;
    let session = harness.logged_in("invalid").await;
    let (nobody, somebody) = (phone("989121111111"), phone("989122222222"));
    harness.control.not_on_whatsapp(nobody.as_str()).await.unwrap();

    let outcome = session.send_text(&nobody, "hello?").await.unwrap();
    let SendOutcome::NotOnWhatsApp(reason) = outcome else { panic!("expected NotOnWhatsApp, got {outcome:?}") };
    assert!(reason.contains("Phone number shared via url is invalid"), "{reason}");

    // The session goes on with the next number, text and media alike.
    assert!(matches!(session.send_text(&somebody, "hello!").await.unwrap(), SendOutcome::Sent { .. }));
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), b"plain text attachment").unwrap();
    let outcome = session.send_media(&nobody, file.path(), "text/plain", "caption").await.unwrap();
    assert!(matches!(outcome, SendOutcome::NotOnWhatsApp(_)), "{outcome:?}");
    assert!(matches!(session.send_text(&somebody, "again").await.unwrap(), SendOutcome::Sent { .. }));

    assert!(harness.control.messages(Some(nobody.as_str())).await.unwrap().is_empty());
    assert_eq!(harness.control.messages(Some(somebody.as_str())).await.unwrap().len(), 2);

    session.close().await.unwrap();
    harness.finish().await;
}

#[tokio::test]
async fn reloading_for_each_chat_still_sends() {
    let harness = Harness::start(Markup::M2026).await;
    let session = harness.logged_in("reload").await;
    session.set_chat_opening(ChatOpening::Reload);
    let to = phone("989121234567");
    assert!(matches!(session.send_text(&to, "via the send link").await.unwrap(), SendOutcome::Sent { .. }));
    assert_eq!(session.chat_opens().reloads, 1);
    assert_eq!(harness.control.messages(Some(to.as_str())).await.unwrap().len(), 1);
    session.close().await.unwrap();
    harness.finish().await;
}

#[tokio::test]
async fn a_drifted_hook_is_named_and_its_diagnostics_hold_no_text() {
    // Drift is found when a hook's wait runs out: shorter than usual here, but
    // the same wait also covers starting Chromium and loading the page, which
    // takes several seconds on a loaded 2-core CI machine.
    let timeouts = Timeouts { page: Duration::from_secs(12), ..test_timeouts() };
    let harness = Harness::with_timeouts(quick_simulator(Markup::M2026), timeouts).await;
    let session = harness.logged_in("drift").await;
    let to = phone("989121234567");
    let secret = "Top secret offer for Maryam 🎁";
    assert!(matches!(session.send_text(&to, secret).await.unwrap(), SendOutcome::Sent { .. }));

    harness.control.drift("compose").await.unwrap();
    let err = session.send_text(&to, secret).await.unwrap_err();
    assert!(matches!(err, SendError::HookMissing { hook: "compose", may_have_been_sent: false }), "{err}");
    assert!(!err.may_have_been_sent());
    assert_eq!(harness.control.messages(None).await.unwrap().len(), 1, "nothing more left");

    let diagnostics = session.diagnostics().await.unwrap();
    assert_eq!(&diagnostics.screenshot[..8], b"\x89PNG\r\n\x1a\n");
    assert!(diagnostics.outline.contains("div#main"), "{}", diagnostics.outline);
    for leak in ["Top secret", "Maryam", "989121234567", "2@", "Submit"] {
        assert!(!diagnostics.outline.contains(leak), "{leak} leaked into the outline");
    }

    session.close().await.unwrap();
    harness.finish().await;
}

on_every_markup!(without_its_send_button_a_text_goes_out_once_by_enter);

/// Reports conflict on whether the send button still sends; Enter in the
/// box does in every build. A button that is gone is no reason to stop.
async fn without_its_send_button_a_text_goes_out_once_by_enter(markup: Markup) {
    let harness = Harness::start(markup).await;
    let session = harness.logged_in("enter").await;
    let to = phone("989121234567");
    harness.control.drift("send").await.unwrap();
    let outcome = session.send_text(&to, "sent by Enter").await.unwrap();
    assert!(matches!(outcome, SendOutcome::Sent { .. }), "{outcome:?}");
    let received = harness.control.messages(Some(to.as_str())).await.unwrap();
    assert_eq!(received.len(), 1, "exactly once");
    assert_eq!(received[0].text.as_deref(), Some("sent by Enter"));
    session.close().await.unwrap();
    harness.finish().await;
}

on_every_markup!(typing_shows_for_the_time_asked_and_keeps_emoji_and_newlines);

async fn typing_shows_for_the_time_asked_and_keeps_emoji_and_newlines(markup: Markup) {
    let harness = Harness::with(quick_simulator(markup)).await;
    let session = harness.logged_in("typing").await;
    let to = phone("09121234568");
    let text = "سلام! 🎉👨‍👩‍👧 پیشنهاد ویژه\nفقط امروز ✅";
    let outcome = session.send_text_typing(&to, text, Duration::from_millis(1200)).await.unwrap();
    assert!(matches!(outcome, SendOutcome::Sent { .. }), "{outcome:?}");
    let received = harness.control.messages(Some(to.as_str())).await.unwrap();
    assert_eq!(received[0].text.as_deref(), Some(text), "typed in bursts, arrived whole");
    // The page saw input events for about the time asked (the bursts end
    // with one more beat before the send is pressed).
    assert!((1000..6000).contains(&received[0].typing_ms), "typing seen for {} ms", received[0].typing_ms);

    let instant = phone("09121234569");
    session.send_text(&instant, "no typing").await.unwrap();
    let received = harness.control.messages(Some(instant.as_str())).await.unwrap();
    assert!(received[0].typing_ms < 1000, "all at once: {} ms", received[0].typing_ms);
}
