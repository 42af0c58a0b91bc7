//! Headless Chromium pages driven over WebDriver: Debian's `chromedriver` as a child
//! process and one fresh browser (own profile directory) per page, with the polling
//! waits the browser test needs. Nothing is downloaded: the browser is the system's.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use chat_test_kit::unique_name;
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// How long a page may take to show what the test waits for.
const PATIENCE: Duration = Duration::from_secs(30);

/// `$name` from the environment, else `default`; it must exist.
fn executable(variable: &str, default: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var(variable).unwrap_or_else(|_| default.to_owned()));
    assert!(
        path.exists(),
        "{} is missing: run deploy/local/install-deps.sh (Debian's chromium and \
         chromium-driver), or set {variable}",
        path.display()
    );
    path
}

/// Where screenshots go: `.local/screenshots/` of the workspace (git-ignored).
pub fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.local/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// A running chromedriver, in a process group of its own with the browsers it starts,
/// so that dropping it ends them all, even when a test panics before closing its pages.
/// Its browsers' profiles and temporary files stay in one directory of its own.
pub struct Driver {
    process: Child,
    url: String,
    dir: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(pid) = self.process.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Driver {
    /// Starts chromedriver on a free port and waits until it answers.
    pub async fn start() -> Self {
        let bin = executable("CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(unique_name("chromedriver"));
        std::fs::create_dir_all(&dir).expect("driver dir");
        let process = Command::new(bin)
            .arg(format!("--port={port}"))
            .env("TMPDIR", &dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while client.get(format!("{url}/status")).send().await.is_err() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "chromedriver did not answer"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { process, url, dir }
    }

    /// A fresh headless browser with one page, called `name` in failures and files.
    pub async fn page(&self, name: &str) -> Page {
        let profile = self.dir.join(unique_name("profile"));
        let chromium = executable("CHROMIUM", "/usr/bin/chromium");
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1100,720",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("chromium starts under chromedriver");
        Page {
            client,
            name: name.to_owned(),
        }
    }
}

/// One browser page.
pub struct Page {
    client: Client,
    name: String,
}

impl Page {
    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("page loads");
    }

    /// Clicks the first element matching `css`, once it exists. The client redraws its
    /// lists whole, so an element found a moment ago may be gone: then it is found again.
    pub async fn click(&self, css: &str) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            match self.element(css).await.click().await {
                Ok(()) => return,
                Err(CmdError::Standard(e))
                    if e.error == ErrorStatus::StaleElementReference
                        && tokio::time::Instant::now() < deadline => {}
                Err(e) => self.fail(&format!("click on {css}: {e}")).await,
            }
        }
    }

    /// Types `text` into the element matching `css` (key by key, as a user would).
    pub async fn type_into(&self, css: &str, text: &str) {
        self.element(css)
            .await
            .send_keys(text)
            .await
            .expect("typing");
    }

    /// Empties the input matching `css`.
    pub async fn clear(&self, css: &str) {
        self.element(css).await.clear().await.expect("clear");
    }

    async fn element(&self, css: &str) -> fantoccini::elements::Element {
        let found = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => element,
            Err(e) => self.fail(&format!("no {css}: {e}")).await,
        }
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("{}: script failed: {e}\n{script}", self.name))
    }

    /// The text of every element matching `css`, in document order.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let value = self
            .js(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent)",
                vec![json!(css)],
            )
            .await;
        serde_json::from_value(value).expect("strings")
    }

    /// Polls `script` until it returns something truthy; returns that.
    pub async fn wait_js(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let value = self.js(script, args.clone()).await;
            let truthy = !matches!(&value, Value::Null | Value::Bool(false))
                && value != json!("")
                && value != json!(0);
            if truthy {
                return value;
            }
            if tokio::time::Instant::now() > deadline {
                self.fail(&format!("{what}: still {value}")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the elements matching `css` show exactly `expected`, in order.
    pub async fn wait_texts(&self, css: &str, expected: &[&str]) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let texts = self.texts(css).await;
            if texts == expected {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                self.fail(&format!("{css}: want {expected:?}, see {texts:?}"))
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the element matching `css` shows `text`.
    pub async fn wait_text(&self, css: &str, text: &str) {
        self.wait_texts(css, &[text]).await;
    }

    /// Saves a PNG of the page under [`screenshot_dir`]; returns its path.
    pub async fn screenshot(&self, file: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let path = screenshot_dir().join(file);
        std::fs::write(&path, png).expect("screenshot written");
        path
    }

    /// Panics with `why`, after saving a screenshot and what the page reported.
    async fn fail(&self, why: &str) -> ! {
        let shot = self.screenshot(&format!("failed-{}.png", self.name)).await;
        let errors = self.js("return window.chatApp?.errors", vec![]).await;
        let frames = self.js("return window.chatApp?.recent", vec![]).await;
        panic!(
            "{}: {why}\n  page errors: {errors}\n  last frames: {frames}\n  screenshot: {}",
            self.name,
            shot.display()
        );
    }

    /// Ends the browser.
    pub async fn close(self) {
        self.client.clone().close().await.expect("browser closes");
    }

    /// Errors the page reported to its user (toasts); none are expected.
    pub async fn errors(&self) -> Value {
        self.js("return window.chatApp.errors", vec![]).await
    }
}
