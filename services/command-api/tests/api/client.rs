//! `ApiClient`: a client of one running command-api with a method per request the API
//! tests share, every answer checked against the OpenAPI document ([`crate::schema`]).
//! Both suites' `TestApp`s (`tests/api` on the servers, `tests/api_memory` on memory)
//! dereference to one, so a test reads the same in either.

#![allow(dead_code)] // each suite uses its own part of the client

use std::net::SocketAddr;

use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};
use uuid::Uuid;

pub use chat_test_kit::client::User;
use chat_test_kit::tokens::service_token;

/// A client of the command-api at one address.
pub struct ApiClient {
    pub client: reqwest::Client,
    base: String,
}

impl ApiClient {
    /// A client of the command-api listening on `addr`.
    pub fn new(addr: SocketAddr) -> Self {
        // Idle connections are dropped well before the server's keep-alive (actix: 5 s)
        // closes them: a request sent on a connection the server is closing that moment
        // is reset (the burst test's second burst met it on a loaded machine).
        let client = reqwest::Client::builder()
            .no_proxy()
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .build()
            .expect("http client");
        Self {
            client,
            base: format!("http://{addr}"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request with an optional bearer token and an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.execute(request).await
    }

    /// Sends `request`, and checks its answer against the OpenAPI document before the
    /// test sees it.
    pub async fn execute(&self, request: RequestBuilder) -> Response {
        let request = request.build().expect("a well-formed request");
        let (method, path) = (request.method().clone(), request.url().path().to_owned());
        let response = self.client.execute(request).await.expect("request sent");
        let (status, headers) = (response.status(), response.headers().clone());
        let body = response.bytes().await.expect("the answer's body");
        crate::schema::check(method.as_str(), &path, status.as_u16(), &body);
        let mut answer = http::Response::new(body);
        *answer.status_mut() = status;
        *answer.headers_mut() = headers;
        Response::from(answer)
    }

    /// `method path` as `user` with an optional body, expecting `status`; the JSON
    /// body (`Null` when there is none).
    pub async fn expect(
        &self,
        user: &User,
        method: Method,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let response = self
            .call(method.clone(), path, Some(&user.token), body)
            .await;
        assert_eq!(response.status(), status, "{method} {path}");
        let bytes = response.bytes().await.expect("the answer's body");
        if bytes.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&bytes).expect("a JSON answer")
    }

    /// Creates a group chat of `owner` with `members`; returns its id.
    pub async fn create_group(&self, owner: &User, members: &[&User]) -> Uuid {
        let members: Vec<Uuid> = members.iter().map(|m| m.id).collect();
        let response = self
            .call(
                Method::POST,
                "/api/chats",
                Some(&owner.token),
                Some(json!({ "type": "group", "name": "team", "participants": members })),
            )
            .await;
        assert_eq!(response.status(), 201, "create group");
        let body: Value = response.json().await.expect("json");
        body["chat_id"]
            .as_str()
            .expect("chat_id")
            .parse()
            .expect("uuid")
    }

    /// `GET path` as `user`, expecting 200; the JSON body.
    pub async fn get_json(&self, user: &User, path: &str) -> Value {
        let response = self.call(Method::GET, path, Some(&user.token), None).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("json")
    }

    /// Links `chat` to Telegram supergroup `group` as `admin`, expecting success.
    pub async fn link_telegram(&self, admin: &User, chat: Uuid, group: i64) {
        let link = self
            .call(
                Method::POST,
                &format!("/api/chats/{chat}/telegram/link"),
                Some(&admin.token),
                Some(json!({ "telegram_chat_id": group })),
            )
            .await;
        assert!(link.status().is_success(), "link");
    }

    /// Posts Telegram message `(telegram_message_id, content)` of author
    /// `(telegram_user_id, name)` from `group` into `chat` as the bridge, expecting 201;
    /// the message's id.
    pub async fn receive_from_telegram(
        &self,
        chat: Uuid,
        group: i64,
        (telegram_user_id, name): (i64, &str),
        (telegram_message_id, content): (i64, &str),
    ) -> String {
        let received = self
            .call(
                Method::POST,
                &format!("/api/chats/{chat}/telegram/messages"),
                Some(&service_token("telegram-bridge")),
                Some(json!({
                    "telegram_chat_id": group,
                    "telegram_message_id": telegram_message_id,
                    "telegram_user_id": telegram_user_id,
                    "sender_name": name,
                    "content": content,
                })),
            )
            .await;
        assert_eq!(received.status(), 201, "received");
        let body: Value = received.json().await.expect("json");
        body["message_id"].as_str().expect("message_id").to_owned()
    }

    /// Sends `content` to `chat` as `user`.
    pub async fn send(&self, user: &User, chat: Uuid, content: &str) -> Response {
        self.call(
            Method::POST,
            &format!("/api/chats/{chat}/messages"),
            Some(&user.token),
            Some(json!({ "content": content })),
        )
        .await
    }

    /// Sends `content` to `chat` as `user`, expecting 201; the message's id.
    pub async fn sent(&self, user: &User, chat: Uuid, content: &str) -> String {
        let response = self.send(user, chat, content).await;
        assert_eq!(response.status(), 201, "send {content:?}");
        let body: Value = response.json().await.expect("json");
        body["message_id"].as_str().expect("message_id").to_owned()
    }

    /// Edits message `id` of `chat` to `content` as `user`, expecting success.
    pub async fn edit(&self, user: &User, chat: Uuid, id: &str, content: &str) {
        let path = format!("/api/chats/{chat}/messages/{id}");
        let body = json!({ "content": content });
        let response = self
            .call(Method::PATCH, &path, Some(&user.token), Some(body))
            .await;
        assert!(response.status().is_success(), "edit {id}");
    }

    /// Deletes message `id` of `chat` as `user`, expecting success.
    pub async fn delete_message(&self, user: &User, chat: Uuid, id: &str) {
        let path = format!("/api/chats/{chat}/messages/{id}");
        let response = self
            .call(Method::DELETE, &path, Some(&user.token), None)
            .await;
        assert!(response.status().is_success(), "delete {id}");
    }

    /// Archives `chat` as `user`, expecting success.
    pub async fn archive(&self, user: &User, chat: Uuid) {
        let path = format!("/api/chats/{chat}");
        let response = self
            .call(Method::DELETE, &path, Some(&user.token), None)
            .await;
        assert!(response.status().is_success(), "archive {chat}");
    }

    /// Hard-deletes `chat` as `user`, expecting success.
    pub async fn hard_delete(&self, user: &User, chat: Uuid) {
        let path = format!("/api/chats/{chat}?hard=true");
        let response = self
            .call(Method::DELETE, &path, Some(&user.token), None)
            .await;
        assert!(response.status().is_success(), "hard delete {chat}");
    }
}

/// The `error.code` of an error response, after checking its status and that the error
/// says what went wrong.
pub async fn error_code(response: Response, status: u16) -> String {
    assert_eq!(response.status(), status, "status");
    let body: Value = response.json().await.expect("error body is JSON");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "error message present: {body}"
    );
    body["error"]["code"]
        .as_str()
        .expect("error.code")
        .to_owned()
}
