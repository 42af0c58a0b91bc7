//! Telegram's flood waits are obeyed, never worked around: the call waits as long as
//! Telegram says and is tried again, so no message is dropped and order is kept.

use std::future::Future;
use std::time::Duration;

use crate::metrics::{FLOOD_WAITS, TELEGRAM_CALLS};
use crate::ports::GatewayError;

/// Runs `call` (the Telegram `operation`, for metrics) until it returns anything but a
/// flood wait, sleeping each wait out.
///
/// # Errors
/// The first error of `call` that is not a flood wait.
pub async fn obeying_flood_waits<T, F, Fut>(
    operation: &'static str,
    mut call: F,
) -> Result<T, GatewayError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, GatewayError>>,
{
    loop {
        match call().await {
            Err(GatewayError::FloodWait { seconds }) => {
                FLOOD_WAITS.with_label_values(&[operation]).inc();
                tracing::warn!(
                    seconds,
                    operation,
                    "Telegram flood wait; waiting before retrying"
                );
                tokio::time::sleep(Duration::from_secs(u64::from(seconds))).await;
            }
            other => {
                let outcome = if other.is_ok() { "ok" } else { "error" };
                TELEGRAM_CALLS
                    .with_label_values(&[operation, outcome])
                    .inc();
                return other;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn waits_out_every_flood_wait_then_returns_the_result() {
        let calls = AtomicU32::new(0);
        let started = tokio::time::Instant::now();
        let result = obeying_flood_waits("send", || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 => Err(GatewayError::FloodWait { seconds: 3 }),
                1 => Err(GatewayError::FloodWait { seconds: 2 }),
                _ => Ok(42),
            }
        })
        .await;
        assert_eq!(result, Ok(42));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert!(started.elapsed() >= Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn other_errors_are_returned_at_once() {
        let result: Result<(), _> = obeying_flood_waits("send", || async {
            Err(GatewayError::Rejected("CHAT_WRITE_FORBIDDEN".into()))
        })
        .await;
        assert!(matches!(result, Err(GatewayError::Rejected(_))));
    }
}
