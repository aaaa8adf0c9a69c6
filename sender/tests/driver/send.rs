//! Sending text and attachments, delivery ticks, and numbers that are not on
//! WhatsApp.

use std::time::{Duration, Instant};

use sender::driver::{qr, MessageStatus, SendOutcome, WhatsAppSession};
use sha2::{Digest, Sha256};
use shared::domain::Phone;
use wa_simulator::DeliveryStatus;

use crate::helpers::{phone, Harness};

async fn wait_until_delivered(session: &WhatsAppSession, to: &Phone) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = session.message_status(to).await.unwrap();
        if status == Some(MessageStatus::Delivered) {
            return;
        }
        assert!(Instant::now() < deadline, "still {status:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn text_arrives_exactly_and_turns_delivered() {
    let harness = Harness::start().await;
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
    assert_eq!(got, texts);
    let device = &harness.control.devices().await.unwrap()[0];
    assert!(received.iter().all(|m| m.device == device.id && m.to == "989121234567" && m.attachment.is_none()));
    assert!(ids[1].ends_with(&received[1].id), "{} is WhatsApp's key of {}", ids[1], received[1].id);

    // The chat is still open: its ticks turn double once delivered.
    wait_until_delivered(&session, &maryam).await;
    // A chat that is not open is opened to read them.
    let other = phone("989351234567");
    assert!(matches!(session.send_text(&other, "hi").await.unwrap(), SendOutcome::Sent { .. }));
    wait_until_delivered(&session, &maryam).await;
    let statuses = harness.control.messages(Some(maryam.as_str())).await.unwrap();
    assert!(statuses.iter().all(|m| m.status == DeliveryStatus::Delivered));

    session.close().await.unwrap();
    harness.finish().await;
}

#[tokio::test]
async fn media_arrive_with_name_size_and_caption() {
    let harness = Harness::start().await;
    let session = harness.logged_in("media").await;
    let to = phone("989121234567");
    let files = tempfile::tempdir().unwrap();

    // A photo (any real PNG will do: the QR renderer makes one) and a document.
    let photo = files.path().join("offer.png");
    std::fs::write(&photo, qr::render_png("a photo").unwrap()).unwrap();
    let document = files.path().join("لیست قیمت.pdf");
    let pdf: Vec<u8> = b"%PDF-1.4\n".iter().copied().chain((0..50_000u32).map(|i| (i % 251) as u8)).collect();
    std::fs::write(&document, &pdf).unwrap();

    let caption = "پیشنهاد ویژه 🎁 for you";
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

    session.close().await.unwrap();
    harness.finish().await;
}

#[tokio::test]
async fn a_number_not_on_whatsapp_fails_alone() {
    let harness = Harness::start().await;
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
