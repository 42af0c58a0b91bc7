//! A Kafka broker of one test's own, for the fault tests that stop and start their broker:
//! the shared broker stays up for every other test, so these tests run beside them instead
//! of alone after them. It is `deploy/local/kafka.sh` with `KAFKA_INSTANCE` (state in
//! `.local/kafka-<instance>`).

use std::path::Path;
use std::process::Command;

/// A broker of this test's own on 127.0.0.1; stopped when dropped.
#[derive(Debug)]
pub struct OwnBroker {
    instance: &'static str,
    port: u16,
}

impl OwnBroker {
    /// Starts broker `instance` on `port` (its controller on `port + 1`), or finds it
    /// running from an earlier run, and waits until it answers.
    ///
    /// # Panics
    /// With `CHAT_EXTERNAL_INFRA=1` (the servers are not ours to start), or when it does
    /// not start.
    pub fn up(instance: &'static str, port: u16) -> Self {
        let broker = Self { instance, port };
        broker.start();
        broker
    }

    /// Its address, as `KAFKA_BROKERS` lists them.
    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Stops it (Kafka's controlled shutdown) and waits for the exit.
    ///
    /// # Panics
    /// When it does not stop.
    pub fn stop(&self) {
        assert!(
            self.run("down"),
            "stopping Kafka broker {} failed",
            self.instance
        );
    }

    /// Starts it again and waits until it answers.
    ///
    /// # Panics
    /// When it does not start.
    pub fn start(&self) {
        assert!(
            std::env::var("CHAT_EXTERNAL_INFRA").as_deref() != Ok("1"),
            "this fault test stops and starts a broker of its own: it needs deploy/local's Kafka (unset CHAT_EXTERNAL_INFRA)"
        );
        assert!(
            self.run("up"),
            "starting Kafka broker {} failed",
            self.instance
        );
    }

    /// Runs `deploy/local/kafka.sh <action>` on this broker; true if it succeeded.
    fn run(&self, action: &str) -> bool {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/local/kafka.sh");
        Command::new(script)
            .arg(action)
            .env("KAFKA_INSTANCE", self.instance)
            .env("KAFKA_PORT", self.port.to_string())
            .status()
            .expect("kafka.sh runs")
            .success()
    }
}

impl Drop for OwnBroker {
    fn drop(&mut self) {
        // A failure here is in the broker's log; the test's own outcome is what matters.
        self.run("down");
    }
}
