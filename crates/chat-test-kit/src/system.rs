//! The whole system as real processes: the five service binaries started against a fresh
//! PostgreSQL database, a fresh Kafka topic and a fresh CQL keyspace, each on a free
//! port, driven only through their public interfaces. Used by the end-to-end tests and
//! by the benchmark.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use chat_runtime::config::KafkaConfig;
use chat_runtime::connect;
use tokio::process::{Child, Command};

use crate::kafka::{fresh_topic, fresh_topic_on};
use crate::own_broker::OwnBroker;
use crate::pg::{TestDatabase, fresh_database};
use crate::tokens::TEST_SECRET;
use crate::{cql_config, unique_name};

/// The five services, in start order (consumers before the producer of events).
pub const SERVICES: [&str; 5] = [
    "projector-sync",
    "projector-async",
    "wse-gateway",
    "command-api",
    "telegram-bridge",
];

/// One running process.
#[derive(Debug)]
struct Running {
    service: &'static str,
    child: Child,
    addr: SocketAddr,
    extra: Vec<(String, String)>,
}

/// The system under test.
#[derive(Debug)]
pub struct System {
    /// Its database.
    pub db: TestDatabase,
    /// Its events topic.
    pub kafka: KafkaConfig,
    /// Its CQL keyspace.
    pub keyspace: String,
    /// Where the services' logs go.
    pub log_dir: PathBuf,
    running: BTreeMap<String, Running>,
}

impl Drop for System {
    fn drop(&mut self) {
        for running in self.running.values_mut() {
            let _ = running.child.start_kill();
        }
    }
}

/// The directory holding the built service binaries: `CHAT_BIN_DIR`, else the
/// workspace's `target/debug`.
pub fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("CHAT_BIN_DIR") {
        return PathBuf::from(dir);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("debug")
}

/// The variables that name the object store of media.
const S3_ENV: [&str; 5] = [
    "S3_ENDPOINT",
    "S3_BUCKET",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_REGION",
];

fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("local addr")
}

impl System {
    /// Fresh stores, then every service started and ready.
    ///
    /// # Panics
    /// When a store does not answer or a service does not become ready.
    pub async fn start() -> Self {
        Self::start_services(Self::stores().await).await
    }

    /// As [`System::start`], with the events topic on `broker` instead of the shared
    /// broker: a fault test stops and starts its own.
    ///
    /// # Panics
    /// When a store does not answer or a service does not become ready.
    pub async fn start_on(broker: &OwnBroker) -> Self {
        let kafka = fresh_topic_on(broker, "e2e", 3).await;
        Self::start_services(Self::stores_with(kafka).await).await
    }

    /// Every service of `system` started and ready.
    async fn start_services(mut system: Self) -> Self {
        for service in SERVICES {
            system.start_instance(service, service, &[]).await;
        }
        system
    }

    /// Fresh stores and no service yet.
    ///
    /// # Panics
    /// When a store does not answer.
    pub async fn stores() -> Self {
        Self::stores_with(fresh_topic("e2e", 3).await).await
    }

    /// Fresh stores, the events on `kafka`'s topic (and its dead letters beside it).
    async fn stores_with(kafka: KafkaConfig) -> Self {
        let db = fresh_database().await;
        let dlq = KafkaConfig {
            events_topic: format!("{}.dlq", kafka.events_topic),
            ..kafka.clone()
        };
        chat_migrate::topics::ensure(
            &connect::kafka_client_config(&dlq),
            &[chat_migrate::topics::TopicSpec {
                name: dlq.events_topic.clone(),
                partitions: 1,
                replication: 1,
                retention_ms: None,
            }],
        )
        .await
        .expect("dead-letter topic");
        let keyspace = unique_name("e2e");
        let session = connect::cql(&cql_config(&keyspace))
            .await
            .expect("CQL answers");
        chat_migrate::cql::apply(&session, &keyspace, chat_migrate::cql::LOCAL_REPLICATION)
            .await
            .expect("CQL schema");
        let log_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../.local/log/e2e")
            .join(&keyspace);
        std::fs::create_dir_all(&log_dir).expect("log dir");
        Self {
            db,
            kafka,
            keyspace,
            log_dir,
            running: BTreeMap::new(),
        }
    }

    /// The environment every service gets: the stores of this system, and the object
    /// store of media as the test's environment names it (`S3_*`, from
    /// deploy/local/env.sh; every system shares its bucket: keys are per chat).
    fn common_env(&self) -> Vec<(String, String)> {
        let cql = cql_config(&self.keyspace);
        let media = S3_ENV
            .iter()
            .filter_map(|key| Some(((*key).to_owned(), std::env::var(key).ok()?)));
        [
            ("DATABASE_URL", self.db.config.url.clone()),
            ("KAFKA_BROKERS", self.kafka.brokers.clone()),
            ("CHAT_EVENTS_TOPIC", self.kafka.events_topic.clone()),
            ("CQL_NODES", cql.nodes.join(",")),
            ("CQL_KEYSPACE", self.keyspace.clone()),
            ("JWT_HS256_SECRET", TEST_SECRET.to_owned()),
            ("LOG_FILTER", "info,scylla=warn".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .chain(media)
        .collect()
    }

    /// The environment that places `service` and ties it to this system's other services.
    fn service_env(&self, service: &str, addr: SocketAddr) -> Vec<(String, String)> {
        let mut env = match service {
            "command-api" | "wse-gateway" => vec![("HTTP_ADDR".to_owned(), addr.to_string())],
            _ => vec![("OPS_ADDR".to_owned(), addr.to_string())],
        };
        // Consumer groups of their own, so systems of parallel tests never share one.
        let group_env = match service {
            "telegram-bridge" => Some("BRIDGE_CONSUMER_GROUP"),
            "projector-sync" | "projector-async" => Some("CONSUMER_GROUP"),
            _ => None,
        };
        if let Some(key) = group_env {
            env.push((key.into(), format!("{service}-{}", self.keyspace)));
        }
        // Limits far beyond the tests' and the benchmark's bursts from a handful of users
        // (the limits themselves are tested in the services' own tests); `extra` of
        // `start_instance` may set others.
        let generous: &[(&str, &str)] = match service {
            "command-api" => &[
                ("WRITE_RATE_PER_S", "100000"),
                ("WRITE_BURST", "100000"),
                ("SERVICE_WRITE_RATE_PER_S", "100000"),
                ("SERVICE_WRITE_BURST", "100000"),
                ("CHAT_CREATES_PER_WINDOW", "100000"),
                // The benchmark's fan-out chat is created with its 999 members at once.
                ("MAX_PARTICIPANTS_PER_REQUEST", "100000"),
            ],
            "wse-gateway" => &[
                ("MAX_CONNECTIONS_PER_USER", "100000"),
                ("FRAME_RATE_PER_S", "100000"),
                ("FRAME_BURST", "100000"),
            ],
            _ => &[],
        };
        env.extend(
            generous
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        if service == "telegram-bridge" {
            if let Some(api) = self.running.get("command-api") {
                env.push(("COMMAND_API_URL".into(), format!("http://{}", api.addr)));
            }
            env.push(("TELEGRAM_MODE".into(), "fake".into()));
        }
        env
    }

    /// Starts `service` as the instance called `instance` (e.g. a second gateway replica)
    /// with `extra` environment, and waits until it is ready. Returns its address.
    ///
    /// # Panics
    /// When the binary is missing or the service does not become ready within a minute.
    pub async fn start_instance(
        &mut self,
        service: &'static str,
        instance: &str,
        extra: &[(&str, &str)],
    ) -> SocketAddr {
        let addr = free_port();
        let extra: Vec<(String, String)> = extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let child = self.spawn(service, instance, addr, &extra);
        self.running.insert(
            instance.to_owned(),
            Running {
                service,
                child,
                addr,
                extra,
            },
        );
        self.wait_ready(instance, addr).await;
        addr
    }

    fn spawn(
        &self,
        service: &str,
        instance: &str,
        addr: SocketAddr,
        extra: &[(String, String)],
    ) -> Child {
        let bin = bin_dir().join(service);
        assert!(
            bin.exists(),
            "{} is missing: build the binaries first (cargo build --bins)",
            bin.display()
        );
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_dir.join(format!("{instance}.log")))
            .expect("log file");
        let err = log.try_clone().expect("log file");
        Command::new(bin)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.common_env())
            .envs(self.service_env(service, addr))
            .envs(extra.iter().cloned())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .kill_on_drop(true)
            .spawn()
            .expect("service starts")
    }

    async fn wait_ready(&mut self, instance: &str, addr: SocketAddr) {
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client.get(format!("http://{addr}/readyz")).send().await
                && r.status().is_success()
            {
                return;
            }
            let exited = self
                .running
                .get_mut(instance)
                .and_then(|r| r.child.try_wait().ok().flatten());
            if exited.is_some() || tokio::time::Instant::now() > deadline {
                let log = std::fs::read_to_string(self.log_dir.join(format!("{instance}.log")))
                    .unwrap_or_default();
                let tail: Vec<_> = log.lines().rev().take(30).collect();
                panic!(
                    "{instance} did not become ready ({exited:?}); last log lines:\n{}",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The address of a running instance.
    ///
    /// # Panics
    /// When no such instance runs.
    pub fn addr(&self, instance: &str) -> SocketAddr {
        self.running
            .get(instance)
            .unwrap_or_else(|| panic!("{instance} is not running"))
            .addr
    }

    /// The process id of a running instance.
    pub fn pid(&self, instance: &str) -> Option<u32> {
        self.running.get(instance)?.child.id()
    }

    /// command-api's base URL.
    pub fn api(&self) -> String {
        format!("http://{}", self.addr("command-api"))
    }

    /// The gateway's WebSocket URL (`instance` is `wse-gateway` or a replica's name).
    pub fn ws(&self, instance: &str) -> String {
        format!("ws://{}/wse", self.addr(instance))
    }

    /// Kills `instance` with SIGKILL (no chance to finish anything) and waits for it.
    pub async fn kill(&mut self, instance: &str) {
        if let Some(running) = self.running.get_mut(instance) {
            let _ = running.child.kill().await;
        }
    }

    /// Sends SIGTERM to `instance` and waits until it exits (graceful shutdown).
    ///
    /// # Panics
    /// When it does not exit within 60 s.
    pub async fn terminate(&mut self, instance: &str) -> std::process::ExitStatus {
        let running = self
            .running
            .get_mut(instance)
            .unwrap_or_else(|| panic!("{instance} is not running"));
        let pid = running.child.id().expect("running process has a pid");
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await;
        tokio::time::timeout(Duration::from_secs(60), running.child.wait())
            .await
            .expect("exits within 60 s of SIGTERM")
            .expect("exit status")
    }

    /// Starts `instance` again with the same settings (same port), after a kill or a
    /// terminate, and waits until it is ready.
    ///
    /// # Panics
    /// As [`Self::start_instance`].
    pub async fn restart(&mut self, instance: &str) {
        let running = self
            .running
            .get(instance)
            .unwrap_or_else(|| panic!("{instance} was never started"));
        let (service, addr, extra) = (running.service, running.addr, running.extra.clone());
        let child = self.spawn(service, instance, addr, &extra);
        if let Some(running) = self.running.get_mut(instance) {
            running.child = child;
        }
        self.wait_ready(instance, addr).await;
    }
}
