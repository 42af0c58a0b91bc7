//! The Telegram -> chat loop's reading of updates and choice of link.

use chat_domain::ChatId;
use secrecy::SecretString;

use super::*;
use crate::adapters::fake::{FakeGateway, FakeTelegram};
use crate::token::ServiceToken;

/// An inbound loop on `telegram` whose store and command-api are never reached (no
/// update comes through in these tests).
fn inbound(telegram: &FakeTelegram, backoff: Duration) -> Inbound<FakeGateway> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .connect_lazy("postgres://unused@127.0.0.1:1/unused")
        .expect("a lazy pool");
    let token = ServiceToken::Fixed(Arc::new(SecretString::from("unused")));
    let commands = CommandApiClient::new("http://127.0.0.1:1", token).expect("a client");
    let store = BridgeStore::new(pool);
    Inbound::new(
        Arc::new(telegram.connect()),
        store.clone(),
        None,
        LinkHealth::new(store, Arc::default()),
        commands,
        backoff,
    )
}

fn spawn_run(inbound: Inbound<FakeGateway>) -> CancellationToken {
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move { inbound.run(stop).await });
    shutdown
}

#[tokio::test(start_paused = true)]
async fn a_flood_wait_reading_updates_is_waited_out_and_counted() {
    let telegram = FakeTelegram::new();
    telegram.fail_update_reads([GatewayError::FloodWait { seconds: 30 }]);
    let waits = FLOOD_WAITS.with_label_values(&["updates"]).get();
    let shutdown = spawn_run(inbound(&telegram, Duration::from_millis(200)));

    tokio::time::sleep(Duration::from_secs(29)).await;
    assert_eq!(
        telegram.update_reads(),
        1,
        "read again before the wait was over"
    );
    assert_eq!(FLOOD_WAITS.with_label_values(&["updates"]).get(), waits + 1);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(telegram.update_reads(), 2, "read again once it was over");
    shutdown.cancel();
}

#[tokio::test(start_paused = true)]
async fn failing_reads_back_off_exponentially() {
    let telegram = FakeTelegram::new();
    let broken = || GatewayError::Unavailable("connection lost".into());
    telegram.fail_update_reads(std::iter::repeat_with(broken).take(6));
    let shutdown = spawn_run(inbound(&telegram, Duration::from_millis(100)));

    // Reads at 0, 0.1, 0.3, 0.7, 1.5 and 3.1 s: four in the first second, not ten.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(telegram.update_reads(), 4);
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    assert_eq!(telegram.update_reads(), 6);
    shutdown.cancel();
}

fn link(topic: Option<i64>) -> Link {
    Link {
        chat_id: ChatId::from_uuid(uuid::Uuid::now_v7()),
        target: TelegramTarget {
            chat_id: -100,
            topic_id: topic,
        },
    }
}

#[test]
fn a_topic_link_wins_over_the_whole_group() {
    let (group, topic) = (link(None), link(Some(5)));
    let links = [group, topic];
    assert_eq!(pick_link(&links, Some(5)), Some(topic));
    assert_eq!(pick_link(&links, Some(9)), Some(group));
    assert_eq!(pick_link(&links, None), Some(group));
    assert_eq!(pick_link(&[topic], Some(9)), None);
    assert_eq!(pick_link(&[topic], None), None);
}

#[test]
fn a_message_without_a_topic_header_is_in_general() {
    let (group, general) = (link(None), link(Some(1)));
    assert_eq!(pick_link(&[group, general], None), Some(general));
    assert_eq!(pick_link(&[general], None), Some(general));
    assert_eq!(pick_link(&[general], Some(5)), None);
}
