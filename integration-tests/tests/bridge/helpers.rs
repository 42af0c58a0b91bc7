//! `TestEnv`: a command-api in-process (fresh database, fresh topic) with both
//! projectors (so SYNC commands answer as in production and history is readable), a
//! fake Telegram, and a telegram-bridge on them that can be stopped and started again.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chat_domain::chat::events::TelegramChatLinked;
use chat_domain::{Actor, ChatId, Envelope, EnvelopeMeta, UserId};
use chat_media::{MediaStore, MemoryMediaStore, S3MediaStore};
use chat_runtime::health::{ReadyState, Verdict};
use chat_test_kit::kafka::fresh_topic;
use chat_test_kit::pg::{TestDatabase, fresh_database};
use chat_test_kit::tokens::TEST_SECRET;
use chat_test_kit::unique_name;
use clap::Parser;
use command_api::adapters::pg::PgEventStore;
use command_api::ports::{EventStore, NewEvents};
use reqwest::Method;
use serde_json::{Value, json};
use telegram_bridge::adapters::Gateway;
use telegram_bridge::adapters::fake::FakeTelegram;
use telegram_bridge::adapters::telegram::MtprotoGateway;
use telegram_bridge::adapters::telegram::double::session_dir::SessionDir;
use telegram_bridge::adapters::telegram::double::{BotRole, TelegramDouble};
use telegram_bridge::adapters::telegram::session::FileSession;
use telegram_bridge::ports::TelegramTarget;
use telegram_bridge::{Application, Config};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// How long any one expectation may take to come true.
pub const DEADLINE: Duration = Duration::from_secs(90);

/// What Telegram answers a bot removed from a group: a send or a channel difference there
/// (`CHANNEL_PRIVATE`), and the access check's look at the bot's own membership
/// (`USER_NOT_PARTICIPANT`, on the double). A link keeps the first of them.
pub const NO_ACCESS: [&str; 2] = ["CHANNEL_PRIVATE", "USER_NOT_PARTICIPANT"];

/// Polls `check` until it returns `Some`, failing after [`DEADLINE`].
pub async fn eventually<T, F, Fut>(what: &str, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    chat_test_kit::eventually(what, DEADLINE, check).await
}

pub use chat_test_kit::client::User;

/// Sends the warnings and errors of the services this process runs (command-api's
/// "request failed" names the dependency behind a 503) to the test's captured output,
/// which a failing test prints.
fn log_warnings_to_the_test_output() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Fails only when a subscriber is already set, which then keeps the logs.
        let _ = tracing_subscriber::fmt()
            .with_env_filter("warn")
            .with_ansi(false)
            .with_test_writer()
            .try_init();
    });
}

struct RunningBridge {
    shutdown: CancellationToken,
    task: JoinHandle<anyhow::Result<()>>,
    /// What `/readyz` answers from.
    ready: ReadyState,
}

/// The MTProto-level Telegram double and the bridge's session file on it.
pub struct OnDouble {
    pub telegram: TelegramDouble,
    session: SessionDir,
}

/// command-api, a Telegram (the fake, or the real adapter on the double) and the bridge.
pub struct TestEnv {
    pub telegram: FakeTelegram,
    /// The media store of command-api and the bridge: the bridge copies Telegram files
    /// into it and reads chat files from it.
    pub media: Arc<dyn MediaStore>,
    /// The bridge's operations port, fixed so command-api can ask it at link time.
    ops_port: u16,
    /// Set when the bridge runs its real adapter against the double instead of the fake.
    pub double: Option<OnDouble>,
    pub db: TestDatabase,
    api_addr: SocketAddr,
    http: reqwest::Client,
    kafka: chat_runtime::config::KafkaConfig,
    consumer_group: String,
    api_shutdown: CancellationToken,
    /// Behind a lock so a test can restart the bridge while it keeps sending.
    bridge: std::sync::Mutex<Option<RunningBridge>>,
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        let bridge = self.bridge.get_mut().map(|b| b.take());
        if let Ok(Some(bridge)) = bridge {
            bridge.shutdown.cancel();
        }
        self.api_shutdown.cancel();
    }
}

impl TestEnv {
    /// Everything running, the bridge included, on the fake Telegram (media in memory).
    pub async fn spawn() -> Self {
        Self::spawn_with(None, Arc::new(MemoryMediaStore::new())).await
    }

    /// Everything running on the fake Telegram, media in the object store the `S3_*`
    /// environment names (the local SeaweedFS).
    pub async fn spawn_on_object_store() -> Self {
        let store = S3MediaStore::from_env().expect("S3_* name an object store");
        Self::spawn_with(None, Arc::new(store)).await
    }

    /// Everything running, the bridge's real Telegram adapter on the MTProto double.
    pub async fn spawn_on_double() -> Self {
        let double = OnDouble {
            telegram: TelegramDouble::new(),
            session: SessionDir::new(),
        };
        Self::spawn_with(Some(double), Arc::new(MemoryMediaStore::new())).await
    }

    async fn spawn_with(double: Option<OnDouble>, media: Arc<dyn MediaStore>) -> Self {
        log_warnings_to_the_test_output();
        let db = fresh_database().await;
        let kafka = fresh_topic("events", 3).await;
        let api_shutdown = CancellationToken::new();
        let ops_port = free_port();
        // On the double, tests may write to the event store directly (a legacy link).
        let uncached = double.is_some();
        let bridge = (ops_port, Arc::clone(&media));
        let api_addr = crate::stack::spawn(&db, &kafka, bridge, uncached, &api_shutdown).await;
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http client");
        let env = Self {
            telegram: FakeTelegram::new(),
            media,
            ops_port,
            double,
            db,
            api_addr,
            http,
            kafka,
            consumer_group: unique_name("telegram_bridge"),
            api_shutdown,
            bridge: std::sync::Mutex::new(None),
        };
        env.start_bridge().await;
        // command-api asks the bridge's ops endpoint before it links a chat: a first link
        // sent before the bridge listens would answer 503.
        let healthz = format!("http://127.0.0.1:{}/healthz", env.ops_port);
        eventually("the bridge listening", || async {
            let answer = env.http.get(&healthz).send().await.ok()?;
            answer.status().is_success().then_some(())
        })
        .await;
        env
    }

    fn bridge_config(&self) -> Config {
        Config::parse_from([
            "telegram-bridge".to_owned(),
            format!("--ops-addr=127.0.0.1:{}", self.ops_port),
            "--telegram-access-check-every-s=1".to_owned(),
            format!("--database-url={}", self.db.config.url),
            format!("--kafka-brokers={}", self.kafka.brokers),
            format!("--events-topic={}", self.kafka.events_topic),
            format!("--command-api-url=http://{}", self.api_addr),
            format!("--jwt-hs256-secret={TEST_SECRET}"),
            format!("--consumer-group={}", self.consumer_group),
            "--retry-backoff-ms=50".to_owned(),
            "--telegram-mode=fake".to_owned(),
        ])
    }

    /// Starts a bridge on a new client session of the fake Telegram.
    pub async fn start_bridge(&self) {
        assert!(
            self.bridge.lock().expect("lock").is_none(),
            "a bridge is already running"
        );
        let gateway = match &self.double {
            None => Gateway::Fake(self.telegram.connect()),
            Some(double) => {
                let session = FileSession::open(&double.session.file(), Duration::from_millis(5))
                    .expect("the session opens");
                let (client, pushed) = double.telegram.connect();
                let gateway = MtprotoGateway::start(
                    std::sync::Arc::new(client),
                    std::sync::Arc::new(session),
                    pushed,
                    1_000,
                )
                .await
                .expect("the gateway starts");
                Gateway::Double(Box::new(gateway))
            }
        };
        let media = Some(Arc::clone(&self.media));
        let app = Application::build_with(self.bridge_config(), gateway, media)
            .await
            .expect("telegram-bridge starts");
        let shutdown = CancellationToken::new();
        let ready = app
            .readiness()
            .watch(Duration::from_millis(100), shutdown.clone());
        let task = tokio::spawn(app.run_until_stopped(shutdown.clone()));
        *self.bridge.lock().expect("lock") = Some(RunningBridge {
            shutdown,
            task,
            ready,
        });
    }

    /// What the running bridge's `/readyz` answers now.
    pub fn readiness(&self) -> Verdict {
        let bridge = self.bridge.lock().expect("lock");
        bridge
            .as_ref()
            .expect("a bridge is running")
            .ready
            .verdict()
    }

    /// The dead-letter topic of the bridge's events topic.
    pub fn dead_letters(&self) -> chat_runtime::config::KafkaConfig {
        chat_runtime::config::KafkaConfig {
            events_topic: chat_kafka::dead_letter::topic_for(&self.kafka.events_topic),
            ..self.kafka.clone()
        }
    }

    /// Stops the bridge the way SIGTERM does, and waits until it has.
    pub async fn stop_bridge(&self) {
        let bridge = self.take_running().expect("a bridge is running");
        bridge.shutdown.cancel();
        bridge
            .task
            .await
            .expect("bridge task")
            .expect("bridge stops cleanly");
    }

    /// Kills the bridge where it stands (no drain, no final commit), as a crash would.
    pub async fn crash_bridge(&self) {
        let bridge = self.take_running().expect("a bridge is running");
        bridge.task.abort();
        let _ = bridge.task.await;
    }

    fn take_running(&self) -> Option<RunningBridge> {
        self.bridge.lock().expect("lock").take()
    }

    async fn call(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Value {
        let (status, body) = self.try_call(method.clone(), path, token, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {body}");
        body
    }

    /// Calls command-api; its status and body, whatever they are.
    pub async fn try_call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (reqwest::StatusCode, Value) {
        let mut request = self
            .http
            .request(method.clone(), format!("http://{}{path}", self.api_addr))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// A group chat of `owner` with `members`, linked to a new supergroup, once the
    /// bridge knows the link. Returns the chat and the supergroup.
    pub async fn linked_chat(&self, owner: &User, members: &[&User]) -> (Uuid, TelegramTarget) {
        let chat = self.group_chat(owner, members).await;
        let group = new_group();
        if let Some(double) = &self.double {
            double.telegram.add_group(group.chat_id, BotRole::Admin);
        }
        self.link(owner, chat, group).await;
        (chat, group)
    }

    /// A group chat of `owner` with `members`, not linked.
    pub async fn group_chat(&self, owner: &User, members: &[&User]) -> Uuid {
        let members: Vec<Uuid> = members.iter().map(|m| m.id).collect();
        let body = json!({ "type": "group", "name": "team", "participants": members });
        let created = self
            .call(Method::POST, "/api/chats", &owner.token, Some(body))
            .await;
        created["chat_id"]
            .as_str()
            .expect("chat_id")
            .parse()
            .expect("uuid")
    }

    /// Asks command-api to link `chat` to `group`; its status and body.
    pub async fn try_link(
        &self,
        owner: &User,
        chat: Uuid,
        group: TelegramTarget,
    ) -> (reqwest::StatusCode, Value) {
        let body =
            json!({ "telegram_chat_id": group.chat_id, "telegram_topic_id": group.topic_id });
        let path = format!("/api/chats/{chat}/telegram/link");
        self.try_call(Method::POST, &path, &owner.token, Some(body))
            .await
    }

    /// The answer to a link of `chat` to `group` once the bridge could tell. A 503 means
    /// it could not: nothing is stored, and a client tries again. On a loaded machine a
    /// first link right after the start answered 503 in a `make test` run, so this tries
    /// again too, until [`DEADLINE`].
    pub async fn link_answer(
        &self,
        owner: &User,
        chat: Uuid,
        group: TelegramTarget,
    ) -> (reqwest::StatusCode, Value) {
        eventually("a link answer other than 503", || async {
            let (status, body) = self.try_link(owner, chat, group).await;
            (status != reqwest::StatusCode::SERVICE_UNAVAILABLE).then_some((status, body))
        })
        .await
    }

    /// Links `chat` to `group` and waits until the bridge knows.
    pub async fn link(&self, owner: &User, chat: Uuid, group: TelegramTarget) {
        let (status, body) = self.link_answer(owner, chat, group).await;
        assert!(status.is_success(), "link: {status} {body}");
        self.wait_link_state(chat, true).await;
    }

    /// Links `chat` to basic group `group` as a link made before only supergroups linked
    /// (the rule refuses it now, so the event goes straight into the store), and waits
    /// until the bridge knows.
    pub async fn link_legacy_basic_group(&self, owner: &User, chat: Uuid, group: i64) {
        let store = PgEventStore::new(self.db.pool.clone());
        let chat_id = ChatId::from_uuid(chat);
        let version = store.version(chat_id).await.expect("the chat's version");
        let event = TelegramChatLinked {
            chat_id,
            version: version + 1,
            telegram_chat_id: group,
            telegram_topic_id: None,
            linked_by: UserId::from_uuid(owner.id),
            linked_at: time::OffsetDateTime::now_utc(),
        };
        let meta = EnvelopeMeta {
            actor: Actor::user(UserId::from_uuid(owner.id)),
            correlation_id: Uuid::new_v4(),
            causation_id: None,
        };
        let stored = store
            .append_batch(&[NewEvents {
                chat_id,
                expected_version: version,
                envelopes: vec![Envelope::new(event.into(), &meta)],
                trace_context: Vec::new(),
                idempotency: None,
                snapshot: None,
            }])
            .await;
        assert!(stored.iter().all(Result::is_ok), "{stored:?}");
        self.wait_link_state(chat, true).await;
    }

    /// Unlinks `chat` and waits until the bridge knows.
    pub async fn unlink(&self, owner: &User, chat: Uuid) {
        let path = format!("/api/chats/{chat}/telegram/link");
        self.call(Method::DELETE, &path, &owner.token, None).await;
        self.wait_link_state(chat, false).await;
    }

    async fn wait_link_state(&self, chat: Uuid, linked: bool) {
        eventually("the bridge to learn the link state", || async {
            let state: Option<bool> =
                sqlx::query_scalar("SELECT linked FROM telegram_bridge_links WHERE chat_id = $1")
                    .bind(chat)
                    .fetch_optional(&self.db.pool)
                    .await
                    .expect("read links");
            (state == Some(linked)).then_some(())
        })
        .await;
    }

    /// Sends `content` (optionally replying) as `user`; returns the message id.
    pub async fn send(
        &self,
        user: &User,
        chat: Uuid,
        content: &str,
        reply_to: Option<Uuid>,
    ) -> Uuid {
        let body = json!({ "content": content, "reply_to": reply_to });
        let path = format!("/api/chats/{chat}/messages");
        let sent = self
            .call(Method::POST, &path, &user.token, Some(body))
            .await;
        sent["message_id"]
            .as_str()
            .expect("message_id")
            .parse()
            .expect("uuid")
    }

    /// Archives `chat` as its `owner` (the bridge keeps its link).
    pub async fn archive(&self, owner: &User, chat: Uuid) {
        let path = format!("/api/chats/{chat}");
        self.call(Method::DELETE, &path, &owner.token, None).await;
    }

    /// Edits a message as `user`.
    pub async fn edit(&self, user: &User, chat: Uuid, message: Uuid, content: &str) {
        let path = format!("/api/chats/{chat}/messages/{message}");
        let body = json!({ "content": content });
        self.call(Method::PATCH, &path, &user.token, Some(body))
            .await;
    }

    /// Deletes a message as `user`.
    pub async fn delete(&self, user: &User, chat: Uuid, message: Uuid) {
        let path = format!("/api/chats/{chat}/messages/{message}");
        self.call(Method::DELETE, &path, &user.token, None).await;
    }

    /// The payloads of `chat`'s stored events of `event_type`, in order.
    pub async fn events(&self, chat: Uuid, event_type: &str) -> Vec<Value> {
        sqlx::query_scalar::<_, Value>(
            "SELECT envelope FROM events WHERE chat_id = $1 AND event_type = $2 ORDER BY version",
        )
        .bind(chat)
        .bind(event_type)
        .fetch_all(&self.db.pool)
        .await
        .expect("read events")
        .into_iter()
        .map(|mut envelope| envelope["payload"].take())
        .collect()
    }

    /// The newest `limit` messages of `chat` as `user` reads them (GET history).
    pub async fn history(&self, user: &User, chat: Uuid) -> Vec<Value> {
        let path = format!("/api/chats/{chat}/messages?limit=100");
        let page = self.call(Method::GET, &path, &user.token, None).await;
        page["messages"].as_array().cloned().unwrap_or_default()
    }

    /// The chat messages that came from Telegram message `telegram_id`.
    pub async fn received(&self, chat: Uuid, telegram_id: i64) -> Vec<Value> {
        self.events(chat, "telegram_message_received")
            .await
            .into_iter()
            .filter(|p| p["telegram_message_id"] == telegram_id)
            .collect()
    }

    /// Waits until Telegram message `telegram_id` is in the chat; returns its message id.
    pub async fn wait_received(&self, chat: Uuid, telegram_id: i64) -> Uuid {
        eventually("a Telegram message in the chat", || async {
            let received = self.received(chat, telegram_id).await;
            received.first().map(|p| {
                p["message_id"]
                    .as_str()
                    .expect("message_id")
                    .parse()
                    .expect("uuid")
            })
        })
        .await
    }

    /// The `(id, text)` of each message the bridge posted in `group`, oldest first.
    fn bridge_posts(&self, group: TelegramTarget) -> Vec<(i64, String)> {
        match &self.double {
            None => self
                .telegram
                .messages(group.chat_id)
                .into_iter()
                .filter(|m| m.outgoing)
                .map(|m| (m.id, m.text))
                .collect(),
            Some(double) => double
                .telegram
                .messages(group.chat_id)
                .into_iter()
                .filter(|m| m.from == telegram_bridge::adapters::telegram::double::BOT_ID)
                .map(|m| (i64::from(m.id), m.text))
                .collect(),
        }
    }

    /// The texts the bridge posted in `group`, oldest first.
    pub fn bridge_texts(&self, group: TelegramTarget) -> Vec<String> {
        self.bridge_posts(group)
            .into_iter()
            .map(|(_, text)| text)
            .collect()
    }

    /// Why the bridge's link of `chat` is broken, if it is.
    pub async fn broken_reason(&self, chat: Uuid) -> Option<String> {
        sqlx::query_scalar("SELECT broken_reason FROM telegram_bridge_links WHERE chat_id = $1")
            .bind(chat)
            .fetch_one(&self.db.pool)
            .await
            .expect("read the link")
    }

    /// Removes the bot from `group` (`false`: lets it back in).
    pub fn set_kicked(&self, group: TelegramTarget, kicked: bool) {
        match (&self.double, kicked) {
            (None, true) => self.telegram.kick(group.chat_id),
            (None, false) => self.telegram.readmit(group.chat_id),
            (Some(double), true) => double.telegram.set_role(group.chat_id, BotRole::Removed),
            (Some(double), false) => double.telegram.set_role(group.chat_id, BotRole::Admin),
        }
    }

    /// Whether the bridge's session keeps a position in `group`'s update sequence (on the
    /// double).
    pub fn follows(&self, group: TelegramTarget) -> bool {
        let double = self.double.as_ref().expect("on the double");
        let Ok(bytes) = std::fs::read(double.session.file()) else {
            return false;
        };
        let session: Value = serde_json::from_slice(&bytes).expect("a session file");
        let channel = -1_000_000_000_000 - group.chat_id;
        session["updates_state"]["channels"]
            .as_array()
            .is_some_and(|channels| channels.iter().any(|c| c["id"] == channel))
    }

    /// The next `n` sends are posted but their answers lost.
    pub fn lose_send_answers(&self, n: u32) {
        match &self.double {
            None => self.telegram.lose_send_answers(n),
            Some(double) => double.telegram.lose_send_answers(n),
        }
    }

    /// Revokes the bot's authorization (`false`: restores it).
    pub fn set_revoked(&self, revoked: bool) {
        match (&self.double, revoked) {
            (None, true) => self.telegram.revoke_authorization(),
            (None, false) => self.telegram.restore_authorization(),
            (Some(double), revoked) => double.telegram.revoke_authorization(revoked),
        }
    }

    /// How many of Telegram messages `ids` of `group` are in the id mapping (as a
    /// message's first part or a later one).
    pub async fn mapped(&self, group: TelegramTarget, ids: &[i64]) -> usize {
        let count: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM telegram_bridge_messages \
                     WHERE telegram_chat_id = $1 AND telegram_message_id = ANY($2)) \
                  + (SELECT count(*) FROM telegram_bridge_message_parts \
                     WHERE telegram_chat_id = $1 AND telegram_message_id = ANY($2))",
        )
        .bind(group.chat_id)
        .bind(ids)
        .fetch_one(&self.db.pool)
        .await
        .expect("read the mapping");
        usize::try_from(count).expect("a count")
    }

    /// Waits until the bridge has mirrored `text` into `group`: posted it, and recorded the
    /// id mapping that the bridge records right after Telegram accepted the message (what
    /// later replies, edits and deletes there are resolved through). Returns its Telegram id.
    pub async fn wait_in_telegram(&self, group: TelegramTarget, text: &str) -> i64 {
        eventually(&format!("{text:?} mirrored into Telegram"), || async {
            let id = self
                .bridge_posts(group)
                .into_iter()
                .find(|(_, posted)| posted == text)
                .map(|(id, _)| id)?;
            let mapped: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM telegram_bridge_messages \
                 WHERE telegram_chat_id = $1 AND telegram_message_id = $2)",
            )
            .bind(group.chat_id)
            .bind(id)
            .fetch_one(&self.db.pool)
            .await
            .expect("read the mapping");
            mapped.then_some(id)
        })
        .await
    }
}

/// A port free now (the bridge binds it when it starts; command-api is told in advance).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A supergroup no other test uses.
pub fn new_group() -> TelegramTarget {
    TelegramTarget {
        chat_id: -1_000_000_000_001 - i64::from(rand_small()),
        topic_id: None,
    }
}

/// A number unique enough to name a fresh supergroup per test.
fn rand_small() -> u32 {
    Uuid::new_v4().as_u128() as u32 & 0x3fff_ffff
}
