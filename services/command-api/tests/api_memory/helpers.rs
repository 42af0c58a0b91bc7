//! `TestApp` of the memory-backed suite: command-api's routes on a free port over the
//! memory adapters ([`MemoryApp`]), with the request helpers of the real-server suite
//! (same names, same checks), so a scenario reads the same in both. Every answer is
//! checked against the OpenAPI document ([`crate::schema`]).

use std::sync::Arc;

use chat_media::MemoryMediaStore;
use chat_test_kit::tokens::{TEST_SECRET, service_token};
use command_api::testing::memory::MemoryApp;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};
use uuid::Uuid;

pub use chat_test_kit::client::User;

/// A command-api over memory, and a client of it.
pub struct TestApp {
    pub client: reqwest::Client,
    /// The object store of media messages (in memory).
    pub media: Arc<MemoryMediaStore>,
    pub app: MemoryApp,
}

impl TestApp {
    /// A command-api with the default settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// A command-api with extra command-line flags.
    pub async fn spawn_with(extra: &[&str]) -> Self {
        let media = Arc::new(MemoryMediaStore::new());
        let store: Arc<dyn chat_media::MediaStore> = Arc::clone(&media) as _;
        let app = MemoryApp::spawn(TEST_SECRET, extra, Some(store)).expect("command-api starts");
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http client");
        Self { client, media, app }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.app.addr(), path)
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
        let body = json!({ "type": "group", "name": "team", "participants": members });
        let created = self
            .expect(owner, Method::POST, "/api/chats", Some(body), 201)
            .await;
        created["chat_id"]
            .as_str()
            .expect("chat_id")
            .parse()
            .expect("uuid")
    }

    /// `GET path` as `user`, expecting 200; the JSON body.
    pub async fn get_json(&self, user: &User, path: &str) -> Value {
        self.expect(user, Method::GET, path, None, 200).await
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

    /// Hard-deletes `chat` as `user`, expecting success.
    pub async fn hard_delete(&self, user: &User, chat: Uuid) {
        let path = format!("/api/chats/{chat}?hard=true");
        let response = self
            .call(Method::DELETE, &path, Some(&user.token), None)
            .await;
        assert!(response.status().is_success(), "hard delete {chat}");
    }

    /// Links `chat` to Telegram supergroup `group` as `admin`, expecting success.
    pub async fn link_telegram(&self, admin: &User, chat: Uuid, group: i64) {
        let path = format!("/api/chats/{chat}/telegram/link");
        let body = json!({ "telegram_chat_id": group });
        let link = self
            .call(Method::POST, &path, Some(&admin.token), Some(body))
            .await;
        assert!(link.status().is_success(), "link");
    }

    /// Posts a message of Telegram author `(telegram_user_id, name)` from `group` into
    /// `chat` as the bridge, expecting 201; the message's id.
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

    /// The stored versions of `chat`, in order.
    pub async fn stored_versions(&self, chat: Uuid) -> Vec<i64> {
        let chat = chat_domain::ChatId::from_uuid(chat);
        self.app
            .events()
            .events(chat)
            .iter()
            .map(|e| i64::try_from(e.version).expect("a version fits i64"))
            .collect()
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
