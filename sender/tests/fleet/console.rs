//! The console end to end in a real Chromium: a customer with a package
//! logs in, creates a campaign, drops in the list, attaches a poster,
//! scans the QR with the simulated phone, starts, watches the bar reach
//! 100% from the WebSocket and downloads the report. With
//! `CONSOLE_SCREENSHOT=<path>` the finished campaign page is saved there
//! (`infra/console-screenshot.sh` regenerates the README's picture).

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::Duration,
};

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::{campaign::recipients_xlsx, stack::Stack};

const WAIT: Duration = Duration::from_secs(30);

/// Chromedriver and its headless Chromium, downloads into `downloads`.
struct Page {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Page {
    async fn start(downloads: &std::path::Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver =
            Command::new(std::env::var("CHROMEDRIVER_PATH").unwrap_or_else(|_| "/usr/bin/chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver runs");
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--window-size=1100,1400", "--lang=fa",
                    format!("--user-data-dir={}", profile.path().display())],
                "prefs": {"download.default_directory": downloads, "download.prompt_for_download": false},
            }
        });
        let capabilities: fantoccini::wd::Capabilities = capabilities.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new()).capabilities(capabilities.clone()).connect(&url).await {
                Ok(client) => break client,
                Err(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(err) => panic!("chromedriver did not start a browser: {err}"),
            }
        };
        Self { client, driver, _profile: profile }
    }

    async fn find(&self, css: &str) -> Element {
        self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.unwrap();
        input.send_keys(text).await.unwrap();
    }

    /// Clicks what `css` finds; an element the page re-rendered between the
    /// find and the click (a QR event redraws the QR box) is found again.
    async fn click(&self, css: &str) {
        for _ in 0..5 {
            match self.find(css).await.click().await {
                Ok(()) => return,
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference => {}
                Err(err) => panic!("{css}: {err}"),
            }
        }
        panic!("{css}: re-rendered under every click");
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[tokio::test]
async fn a_campaign_is_sent_from_the_console_alone() {
    let mut stack = Stack::start().await;
    stack.spawn_sender("console");
    stack.customer_with_package().await;
    let downloads = tempfile::tempdir().unwrap();
    let page = Page::start(downloads.path()).await;

    page.client.goto(&stack.url("/")).await.unwrap();
    page.find("body[data-ready]").await;
    page.fill("form [name=email]", "buyer@example.com").await;
    page.fill("form [name=password]", "buyer-pass-1").await;
    page.click("form button[type=submit]").await;
    page.click("a[href='#/campaigns/new']").await;
    page.fill("form [name=title]", "حراج پاییز").await;
    page.fill("form [name=message]", "سلام {{name}}، {تخفیف|حراج} ویژه امروز!").await;
    page.click("form button[type=submit]").await;
    page.find("#campaign-head [data-status=DRAFT]").await;

    let scratch = tempfile::tempdir().unwrap();
    let (xlsx, phones) = recipients_xlsx(5);
    let list = scratch.path().join("گیرندگان.xlsx");
    std::fs::write(&list, xlsx).unwrap();
    page.find("#recipients-file").await.send_keys(&list.to_string_lossy()).await.unwrap();
    page.find("#campaign-head [data-status=READY]").await;
    let poster = scratch.path().join("poster.png");
    std::fs::write(&poster, shared::qr::render_png("a poster").unwrap()).unwrap();
    page.find("#attachment-file").await.send_keys(&poster.to_string_lossy()).await.unwrap();
    page.client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//*[@id='attachment-info'][contains(., 'poster.png')]"))
        .await
        .unwrap();

    // Link WhatsApp: the QR is drawn, the simulated phone scans it.
    page.find("#live.ok").await;
    page.click("#get-qr").await;
    page.find("#qr-image").await;
    page.click("#sim-scan").await;
    page.find("#link-state[data-connected=true]").await;

    page.click("[data-action=start]").await;
    page.find("#campaign-head [data-status=RUNNING]").await;
    page.client
        .wait()
        .at_most(Duration::from_secs(120))
        .for_element(Locator::Css("#percentage[data-value='100']"))
        .await
        .expect("the bar reaches 100%");
    page.find("#campaign-head [data-status=COMPLETED]").await;
    page.find("#report dl").await;
    let received = stack.simulator.control().messages(None).await.unwrap();
    for phone in &phones {
        assert!(received.iter().any(|m| &m.to == phone), "{phone} got nothing");
    }
    if let Ok(path) = std::env::var("CONSOLE_SCREENSHOT") {
        page.client.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
        std::fs::write(&path, page.client.screenshot().await.unwrap()).unwrap();
    }

    page.click("#download-report").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    let report = loop {
        let done = std::fs::read_dir(downloads.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "xlsx"));
        if let Some(path) = done {
            break path;
        }
        assert!(tokio::time::Instant::now() < deadline, "the report was not downloaded");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let bytes = std::fs::read(&report).unwrap();
    assert!(bytes.starts_with(b"PK"), "the download is a workbook");
    page.client.clone().close().await.unwrap();
}
