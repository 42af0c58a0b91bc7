//! Clients of the public interfaces, as an application would use them: the REST API with
//! a bearer token, and the WebSocket gateway.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::tokens::user_token;

/// A user of the system: an id and a token.
#[derive(Debug, Clone)]
pub struct User {
    /// The user's id (`sub`).
    pub id: Uuid,
    /// The display name.
    pub name: String,
    /// A valid bearer token.
    pub token: String,
}

impl User {
    /// A new user called `name`.
    pub fn new(name: &str) -> Self {
        let id = Uuid::now_v7();
        Self {
            id,
            name: name.to_owned(),
            token: user_token(id, name),
        }
    }
}

/// An HTTP client for the local services: no proxy, a 30 s timeout.
///
/// # Panics
/// When it cannot be built.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

/// The REST API of one command-api.
#[derive(Debug, Clone)]
pub struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    /// The API at `base` (e.g. `http://127.0.0.1:8080`).
    ///
    /// # Panics
    /// When the HTTP client cannot be built.
    pub fn new(base: String) -> Self {
        Self {
            base,
            http: http_client(),
        }
    }

    /// `user` sends `content` to `chat`; the 201 answer (`message_id`, `version`, ...).
    ///
    /// # Panics
    /// When the API does not answer 201.
    pub async fn send_message(&self, user: &User, chat: Uuid, content: &str) -> Value {
        let path = format!("/api/chats/{chat}/messages");
        let body = serde_json::json!({ "content": content });
        self.expect(201, user, Method::POST, &path, Some(body))
            .await
    }

    /// The newest page (up to 100 messages, newest first) of `chat`'s history as `user`.
    ///
    /// # Panics
    /// When the API does not answer 200 with messages.
    pub async fn history(&self, user: &User, chat: Uuid) -> Vec<Value> {
        let path = format!("/api/chats/{chat}/messages?limit=100");
        let page = self.expect(200, user, Method::GET, &path, None).await;
        page["messages"].as_array().expect("messages").clone()
    }

    /// `owner` creates a group chat with `members`; its id.
    ///
    /// # Panics
    /// When the API does not answer 201.
    pub async fn create_group(&self, owner: &User, members: &[&User]) -> Uuid {
        let members: Vec<Uuid> = members.iter().map(|m| m.id).collect();
        let body = serde_json::json!({ "type": "group", "name": "team", "participants": members });
        let created = self
            .expect(201, owner, Method::POST, "/api/chats", Some(body))
            .await;
        created["chat_id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("no chat id in {created}"))
    }

    /// Calls `method path` as `user` with an optional JSON body; the status and the JSON
    /// answer (`Null` when the body is not JSON).
    ///
    /// # Errors
    /// When the request cannot be sent (the server is down).
    pub async fn try_call(
        &self,
        user: &User,
        method: Method,
        path: &str,
        body: Option<Value>,
        idempotency_key: Option<&str>,
    ) -> Result<(u16, Value), reqwest::Error> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&user.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let json = response.json().await.unwrap_or(Value::Null);
        Ok((status, json))
    }

    /// As [`Self::try_call`], without a key.
    ///
    /// # Panics
    /// When the server does not answer.
    pub async fn call(
        &self,
        user: &User,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.try_call(user, method, path, body, None)
            .await
            .expect("the API answers")
    }

    /// As [`Self::call`], asserting `status`; the JSON answer.
    ///
    /// # Panics
    /// When the status differs.
    pub async fn expect(
        &self,
        status: u16,
        user: &User,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let (got, json) = self.call(user, method.clone(), path, body).await;
        assert_eq!(got, status, "{method} {path} as {}: {json}", user.name);
        json
    }
}

/// A WebSocket connection to the gateway.
#[derive(Debug)]
pub struct Socket {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Socket {
    /// Connects to `ws_url` as `user`, with extra query parameters (e.g. `resume=...`).
    ///
    /// # Panics
    /// When the gateway refuses the upgrade.
    pub async fn connect(ws_url: &str, user: &User, query: &str) -> Self {
        let url = format!("{ws_url}?token={}&{query}", user.token);
        let (stream, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("WebSocket upgrade");
        Self { stream }
    }

    /// The next JSON frame within `within`, skipping pings; `None` on timeout or close.
    pub async fn next_within(&mut self, within: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let message = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??
                .ok()?;
            match message {
                Message::Text(text) => return serde_json::from_str(text.as_str()).ok(),
                Message::Close(_) => return None,
                _ => {}
            }
        }
    }

    /// Chat events (`t`, chat version) until one of `chat_id` at `version` arrived, or
    /// `within` passed.
    pub async fn events_until(
        &mut self,
        chat_id: Uuid,
        version: u64,
        within: Duration,
    ) -> Vec<(String, u64)> {
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + within;
        while let Some(frame) = self
            .next_within(deadline.saturating_duration_since(tokio::time::Instant::now()))
            .await
        {
            let p = &frame["p"];
            if p["chat_id"].as_str() != Some(chat_id.to_string().as_str()) {
                continue;
            }
            let Some(v) = p["version"].as_u64() else {
                continue;
            };
            seen.push((frame["t"].as_str().unwrap_or_default().to_owned(), v));
            if v >= version {
                break;
            }
        }
        seen
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        let _ = self.stream.send(Message::Close(None)).await;
    }
}
