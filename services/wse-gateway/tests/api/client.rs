//! What both gateway suites share: gateways in this process as clients reach them,
//! chat histories decided by the real aggregate, and WebSocket clients. Each suite's
//! `helpers.rs` says what the gateway stands on (the servers, or memory).

#![allow(dead_code)] // each suite uses its own part of the client

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chat_domain::testing::fixtures::{add, remove, send};
use chat_domain::{
    ChatCommand, ChatId, Envelope, EnvelopeMeta, InMemoryChat, MessageId, Role, UserId,
};
use chat_test_kit::tokens::user_token;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;
use wse_gateway::hub::Hub;

/// How long any single wait in these tests may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A gateway running in this process.
pub struct TestGateway {
    pub addr: SocketAddr,
    pub hub: Arc<Hub>,
    pub shutdown: CancellationToken,
}

impl Drop for TestGateway {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl TestGateway {
    /// The `/wse` URL with a query.
    pub fn url(&self, query: &str) -> String {
        format!("ws://{}/wse?{query}", self.addr)
    }

    /// A client of `user` (token in the query) with extra query parameters.
    pub async fn connect(&self, user: UserId, extra_query: &str) -> Client {
        let token = user_token(user.as_uuid(), "Tester");
        self.connect_url(&self.url(&format!("token={token}&{extra_query}")))
            .await
    }

    /// A client of `user` whose socket has a small receive buffer (4 KiB), so that a
    /// test that does not read it fills the socket quickly.
    pub async fn connect_small_buffer(&self, user: UserId) -> Client {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("buffer size");
        let stream = socket.connect(self.addr).await.expect("connect");
        let token = user_token(user.as_uuid(), "Tester");
        let (ws, _) = tokio_tungstenite::client_async(
            self.url(&format!("token={token}")),
            MaybeTlsStream::Plain(stream),
        )
        .await
        .expect("the upgrade succeeds");
        Client { ws }
    }

    /// A client of an exact URL.
    pub async fn connect_url(&self, url: &str) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("the upgrade succeeds");
        Client { ws }
    }
}

/// A fresh user id.
pub fn new_user() -> UserId {
    UserId::from_uuid(Uuid::now_v7())
}

/// One chat's history, decided command by command by the real aggregate.
pub struct Script {
    pub id: ChatId,
    chat: InMemoryChat,
    sent: u64,
}

impl Script {
    /// A chat that does not exist yet.
    pub fn new() -> Self {
        Self {
            id: ChatId::from_uuid(Uuid::now_v7()),
            chat: InMemoryChat::default(),
            sent: 0,
        }
    }

    /// The chat's version.
    pub fn version(&self) -> u64 {
        self.chat.state().version()
    }

    /// Decides a command (it must be accepted) into its envelopes.
    pub fn decide(&mut self, command: impl Into<ChatCommand>) -> Vec<Envelope> {
        let command = command.into();
        let meta = EnvelopeMeta::for_command(&command, Uuid::now_v7(), None);
        let events = self.chat.run(command).expect("the command is accepted");
        Envelope::wrap_all(events, &meta)
    }

    /// `user` sends a message.
    pub fn send(&mut self, user: UserId) -> Vec<Envelope> {
        self.sent += 1;
        let id = MessageId::from_uuid(Uuid::now_v1(&[1, 2, 3, 4, 5, 6]));
        self.decide(send(user, id, &format!("message {}", self.sent)))
    }

    /// `user` sends a message of `chars` characters.
    pub fn send_long(&mut self, user: UserId, chars: usize) -> Vec<Envelope> {
        let id = MessageId::from_uuid(Uuid::now_v1(&[1, 2, 3, 4, 5, 6]));
        self.decide(send(user, id, &"x".repeat(chars)))
    }

    /// `admin` adds `user` as a member.
    pub fn add(&mut self, admin: UserId, user: UserId) -> Vec<Envelope> {
        self.decide(add(admin, user, Role::Member))
    }

    /// `admin` removes `user`.
    pub fn remove(&mut self, admin: UserId, user: UserId) -> Vec<Envelope> {
        self.decide(remove(admin, user))
    }
}

/// What a client read.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A JSON text frame.
    Frame(Value),
    /// A close frame (code, reason), or the end of the stream (`None`).
    Closed(Option<(u16, String)>),
}

/// A WebSocket client.
pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    /// The next text frame or close, waiting at most `within` (`None`: nothing came).
    pub async fn next_within(&mut self, within: Duration) -> Option<Incoming> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let read = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .ok()?;
            match read {
                Some(Ok(Message::Text(text))) => {
                    return Some(Incoming::Frame(
                        serde_json::from_str(&text).expect("frames are JSON"),
                    ));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Some(Incoming::Closed(
                        frame.map(|f| (u16::from(f.code), f.reason.to_string())),
                    ));
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return Some(Incoming::Closed(None)),
            }
        }
    }

    /// The next text frame or close; fails the test after [`PATIENCE`].
    pub async fn next(&mut self) -> Incoming {
        self.next_within(PATIENCE)
            .await
            .expect("a frame within the patience")
    }

    /// The next text frame; fails the test on a close.
    pub async fn frame(&mut self) -> Value {
        match self.next().await {
            Incoming::Frame(frame) => frame,
            closed => panic!("expected a frame, got {closed:?}"),
        }
    }

    /// The close frame, skipping text frames.
    pub async fn closed(&mut self) -> Option<(u16, String)> {
        loop {
            if let Incoming::Closed(close) = self.next().await {
                return close;
            }
        }
    }

    /// Chat-event frames `(chat_id, version)` until `chat` reaches `version`
    /// (inclusive), checking each frame's envelope shape on the way.
    pub async fn events_until(&mut self, chat: ChatId, version: u64) -> Vec<(ChatId, u64)> {
        let mut seen = Vec::new();
        loop {
            let frame = self.frame().await;
            let Some(event) = event_of(&frame) else {
                continue;
            };
            seen.push(event);
            if event == (chat, version) {
                return seen;
            }
        }
    }

    /// Sends a text frame.
    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::Text(text.into()))
            .await
            .expect("send a frame");
    }
}

/// The `(chat, version)` of a chat-event frame, after checking its shape; `None` for
/// other frames.
pub fn event_of(frame: &Value) -> Option<(ChatId, u64)> {
    let t = frame["t"].as_str().expect("every frame has t");
    assert_eq!(frame["v"], 1, "{frame}");
    if matches!(t, "user_typing" | "resync" | "error") {
        return None;
    }
    let p = &frame["p"];
    assert_eq!(p["type"], t, "t is the event type: {frame}");
    assert!(
        frame["id"].is_string() && frame["ts"].is_string(),
        "{frame}"
    );
    let chat = p["chat_id"]
        .as_str()
        .expect("chat_id")
        .parse()
        .expect("uuid");
    Some((chat, p["version"].as_u64().expect("version")))
}

/// The versions of `chat` among `events`.
pub fn versions(events: &[(ChatId, u64)], chat: ChatId) -> Vec<u64> {
    events
        .iter()
        .filter(|(c, _)| *c == chat)
        .map(|(_, v)| *v)
        .collect()
}
