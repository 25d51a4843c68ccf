//! The auditor page in a real headless Chromium (driven through chromedriver): load the page from
//! the admin server, search a conversation in a seeded audit store, read the result rows, verify
//! the chain, and take a screenshot. The test command installs Chromium; this test skips only when
//! it reports that Chromium could not be installed (`ESCALATION_MASKER_NO_CHROMIUM`).

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use escalation_masker::admin::auth::{Tokens, hash_token};
use escalation_masker::admin::{self, AdminState, Check, Readiness};
use escalation_masker::audit::SqliteStore;
use fantoccini::{ClientBuilder, Locator};

struct Ready;

#[async_trait]
impl Readiness for Ready {
    async fn checks(&self) -> Vec<Check> {
        Vec::new()
    }
}

struct Driver(Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromium() -> Option<(String, String)> {
    let find = |names: &[&str]| {
        names
            .iter()
            .find(|p| std::path::Path::new(p).exists())
            .map(|p| p.to_string())
    };
    Some((
        find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"])?,
        find(&["/usr/bin/chromedriver"])?,
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_searches_a_conversation_in_headless_chromium() {
    let Some((browser, driver_bin)) = chromium() else {
        match std::env::var("ESCALATION_MASKER_NO_CHROMIUM") {
            Ok(why) => {
                eprintln!("SKIPPED: Chromium could not be installed on this machine: {why}");
                return;
            }
            Err(_) => panic!(
                "Chromium and chromedriver are missing; `bash scripts/test.sh` installs them (apt packages chromium, chromium-driver)"
            ),
        }
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("a.db"))
        .await
        .expect("store");
    common::fill(&store, 30).await;
    let state = AdminState {
        audit: Arc::new(store),
        tokens: Tokens::new(&[hash_token("auditor-token")], &[]).expect("tokens"),
        metrics: None,
        readiness: Arc::new(Ready),
        reload: None,
        ready_cache: Default::default(),
    };
    let addr = admin::spawn("127.0.0.1:0", state, &[])
        .await
        .expect("admin");

    let port = common::free_port();
    let _driver = Driver(
        Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": browser,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900"]
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session");

    let result = async {
        client.goto(&format!("http://{addr}/")).await?;
        assert_eq!(client.title().await?, "escalation-masker · audit");
        client
            .find(Locator::Id("token"))
            .await?
            .send_keys("auditor-token")
            .await?;
        client
            .find(Locator::Id("conversation"))
            .await?
            .send_keys("conv-2")
            .await?;
        client.find(Locator::Id("go")).await?.click().await?;
        let status = client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#status.ok"))
            .await?;
        let status_text = status.text().await?;
        let rows = client.find_all(Locator::Css("#results tbody tr")).await?;
        let mut conversations = Vec::new();
        for row in &rows {
            let cells = row.find_all(Locator::Css("td")).await?;
            conversations.push(cells[3].text().await?);
        }
        client.find(Locator::Id("verify")).await?.click().await?;
        let chain = client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#chain.ok"))
            .await?
            .text()
            .await?;
        let png = client.screenshot().await?;
        Ok::<_, fantoccini::error::CmdError>((status_text, conversations, chain, png))
    }
    .await;
    let _ = client.close().await;
    let (status_text, conversations, chain, png) = result.expect("the page works");

    // 30 records over conv-0..2: conv-2 has 10.
    assert_eq!(status_text, "10 record(s)");
    assert_eq!(conversations.len(), 10);
    assert!(
        conversations.iter().all(|c| c == "conv-2"),
        "{conversations:?}"
    );
    assert!(chain.starts_with("Chain intact: 30 record(s)"), "{chain}");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000);
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("auditor-page.png");
    std::fs::write(&shot, &png).expect("screenshot saved");
    eprintln!("screenshot: {}", shot.display());
}
