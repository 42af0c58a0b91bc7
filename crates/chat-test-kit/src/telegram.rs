//! A client of the fake Telegram that a telegram-bridge process in fake mode serves on
//! its operations port: the end-to-end tests act as Telegram users through it.

use std::net::SocketAddr;

use reqwest::Method;
use serde_json::{Value, json};

use crate::client::http_client;

/// A Telegram user: their id and display name.
pub type TelegramUser = (i64, &'static str);

/// The fake Telegram of one bridge process.
#[derive(Debug, Clone)]
pub struct FakeTelegramClient {
    base: String,
    http: reqwest::Client,
}

impl FakeTelegramClient {
    /// The fake served by the bridge whose operations port is `bridge`.
    pub fn new(bridge: SocketAddr) -> Self {
        Self {
            base: format!("http://{bridge}/fake-telegram/groups"),
            http: http_client(),
        }
    }

    /// The messages supergroup `group` holds, oldest first (`id`, `sender_name`, `text`,
    /// `reply_to`, `edited`, `outgoing`: written by the bridge).
    pub async fn messages(&self, group: i64) -> Vec<Value> {
        let answer = self.call(Method::GET, group, "", None, 200).await;
        answer.as_array().expect("a list of messages").clone()
    }

    /// `user` posts `text` in `group`, optionally replying; Telegram's id of it.
    pub async fn post(
        &self,
        group: i64,
        (user_id, user_name): TelegramUser,
        text: &str,
        reply_to: Option<i64>,
    ) -> i64 {
        let body = json!({
            "user_id": user_id, "user_name": user_name, "text": text, "reply_to": reply_to,
        });
        let answer = self.call(Method::POST, group, "", Some(body), 201).await;
        answer["id"].as_i64().expect("the message id")
    }

    /// Message `id` of `group` is edited to `text`.
    pub async fn edit(&self, group: i64, id: i64, text: &str) {
        let body = json!({ "text": text });
        self.call(Method::PUT, group, &format!("/{id}"), Some(body), 204)
            .await;
    }

    /// Message `id` of `group` is deleted.
    pub async fn delete(&self, group: i64, id: i64) {
        self.call(Method::DELETE, group, &format!("/{id}"), None, 204)
            .await;
    }

    async fn call(
        &self,
        method: Method,
        group: i64,
        rest: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let url = format!("{}/{group}/messages{rest}", self.base);
        let mut request = self.http.request(method.clone(), &url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the fake Telegram answers");
        let got = response.status().as_u16();
        let json = response.json().await.unwrap_or(Value::Null);
        assert_eq!(got, status, "{method} {url}: {json}");
        json
    }
}
