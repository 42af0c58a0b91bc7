//! How grammers retries a failed call. Its default sleeps out flood waits of up to 60 s
//! itself, hidden from the bridge, which then waits again on its own and never counts
//! them; the policy here hands every flood wait back, so [`crate::flood`] obeys and
//! counts each one once.

use std::ops::ControlFlow;
use std::time::Duration;

use grammers_mtsender::{AutoSleep, InvocationError, RetryContext, RetryPolicy};

/// The retry policy the bridge installs in grammers' sender pool.
#[must_use]
pub fn policy() -> Box<dyn RetryPolicy> {
    Box::new(FloodWaitsToCaller::default())
}

/// Hands every flood wait (any 420: `FLOOD_WAIT_X`, `SLOWMODE_WAIT_X`, …) back to the
/// caller; anything else is left to grammers' default, which retries a dropped
/// connection once after a second.
#[derive(Default)]
struct FloodWaitsToCaller {
    otherwise: AutoSleep,
}

impl RetryPolicy for FloodWaitsToCaller {
    fn should_retry(&self, ctx: &RetryContext) -> ControlFlow<(), Duration> {
        match &ctx.error {
            InvocationError::Rpc(rpc) if rpc.code == 420 => ControlFlow::Break(()),
            _ => self.otherwise.should_retry(ctx),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use grammers_mtsender::RpcError;

    use super::*;

    fn context(error: InvocationError) -> RetryContext {
        RetryContext {
            fail_count: NonZeroU32::MIN,
            slept_so_far: Duration::ZERO,
            error,
        }
    }

    fn rpc(code: i32, name: &str, value: Option<u32>) -> InvocationError {
        InvocationError::Rpc(RpcError {
            code,
            name: name.into(),
            value,
            caused_by: None,
        })
    }

    #[test]
    fn flood_waits_are_handed_back_instead_of_slept() {
        let policy = policy();
        for error in [
            rpc(420, "FLOOD_WAIT", Some(5)),
            rpc(420, "FLOOD_WAIT", Some(0)),
            rpc(420, "SLOWMODE_WAIT", Some(30)),
        ] {
            assert_eq!(policy.should_retry(&context(error)), ControlFlow::Break(()));
        }
    }

    #[test]
    fn a_dropped_connection_is_still_retried_once_and_other_errors_are_not() {
        let policy = policy();
        let io = || InvocationError::Io(std::io::Error::other("connection reset"));
        assert!(matches!(
            policy.should_retry(&context(io())),
            ControlFlow::Continue(_)
        ));
        let second = RetryContext {
            fail_count: NonZeroU32::new(2).expect("2"),
            ..context(io())
        };
        assert_eq!(policy.should_retry(&second), ControlFlow::Break(()));
        let refused = rpc(403, "CHAT_WRITE_FORBIDDEN", None);
        assert_eq!(
            policy.should_retry(&context(refused)),
            ControlFlow::Break(())
        );
    }
}
