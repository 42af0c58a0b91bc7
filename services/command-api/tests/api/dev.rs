//! The development-only helpers: absent by default; with their flags, the demo sign-in
//! mints tokens the API accepts and the web client is served under `/app/`.

// The helpers need the `dev-tools` feature (`make test` builds with `--all-features`).
#![cfg(feature = "dev-tools")]

use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

fn web_dir() -> String {
    format!("{}/../../deploy/local/web", env!("CARGO_MANIFEST_DIR"))
}

async fn spawn_dev() -> TestApp {
    TestApp::spawn_with(&[
        "--dev-token-issuer",
        &format!("--dev-web-dir={}", web_dir()),
        "--dev-wse-url=ws://127.0.0.1:9/wse",
    ])
    .await
}

#[tokio::test]
async fn the_dev_helpers_do_not_exist_by_default() {
    let app = TestApp::spawn().await;
    for (method, path) in [
        (Method::GET, "/dev/users"),
        (Method::POST, "/dev/token"),
        (Method::GET, "/app/"),
        (Method::GET, "/app/app.js"),
        (Method::GET, "/"),
    ] {
        let response = app
            .call(method, path, None, Some(json!({"user": "alice"})))
            .await;
        assert_eq!(error_code(response, 404).await, "no_such_route", "{path}");
    }
}

#[tokio::test]
async fn a_demo_token_is_accepted_by_the_api() {
    let app = spawn_dev().await;
    let users: Value = app
        .call(Method::GET, "/dev/users", None, None)
        .await
        .json()
        .await
        .expect("json");
    let names: Vec<&str> = users["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Alice", "Bob", "Carol"]);

    let response = app
        .call(
            Method::POST,
            "/dev/token",
            None,
            Some(json!({"user": "bob"})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let session: Value = response.json().await.expect("json");
    assert_eq!(session["user"]["name"], "Bob");
    assert_eq!(session["wse_url"], "ws://127.0.0.1:9/wse");
    assert!(session["expires_at"].is_string());
    let token = session["token"].as_str().expect("token");

    let created = app
        .call(
            Method::POST,
            "/api/chats",
            Some(token),
            Some(json!({"type": "group", "name": "demo"})),
        )
        .await;
    assert_eq!(created.status(), 201);
    let chats: Value = app
        .call(Method::GET, "/api/chats", Some(token), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(chats["chats"][0]["name"], "demo");
    assert_eq!(chats["chats"][0]["created_by"], session["user"]["id"]);
}

#[tokio::test]
async fn only_demo_users_get_tokens() {
    let app = spawn_dev().await;
    let unknown = app
        .call(
            Method::POST,
            "/dev/token",
            None,
            Some(json!({"user": "mallory"})),
        )
        .await;
    assert_eq!(error_code(unknown, 400).await, "unknown_demo_user");
    let malformed = app
        .call(
            Method::POST,
            "/dev/token",
            None,
            Some(json!({"name": "alice"})),
        )
        .await;
    assert_eq!(error_code(malformed, 422).await, "invalid_body");
}

#[tokio::test]
async fn the_web_client_is_served_under_app() {
    let app = spawn_dev().await;
    let page = app.call(Method::GET, "/app/", None, None).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()[CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
    assert!(page.text().await.expect("text").contains("app.js"));
    let script = app.call(Method::GET, "/app/app.js", None, None).await;
    assert_eq!(script.status(), 200);
    assert!(
        script.headers()[CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .contains("javascript")
    );
    let outside = app
        .call(Method::GET, "/app/../../Cargo.toml", None, None)
        .await;
    assert_eq!(outside.status(), 404);

    let no_redirects = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for path in ["/", "/app"] {
        let response = no_redirects.get(app.url(path)).send().await.expect("sent");
        assert!(response.status().is_redirection(), "{path}");
        assert_eq!(response.headers()[LOCATION], "/app/", "{path}");
    }
}
