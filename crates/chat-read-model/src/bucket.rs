//! Time buckets of the CQL `messages` partitions.
//!
//! A chat's messages are partitioned by `(chat_id, bucket)`, where the bucket is the
//! message id's TIMEUUID time divided into fixed windows, so a busy chat spreads over many
//! bounded partitions (Discord's lesson). Readers derive the bucket of a cursor from the
//! cursor id itself and walk buckets towards the chat's oldest or newest one.

use chat_domain::MessageId;
use time::OffsetDateTime;

/// Width of one bucket: 10 days (Discord's choice: a busy channel's window stays well
/// below a partition's comfortable size, a quiet one needs few empty buckets walked).
pub const BUCKET_SECONDS: i64 = 10 * 24 * 60 * 60;

/// The bucket holding Unix second `secs`.
#[must_use]
pub fn bucket_of_unix(secs: i64) -> i32 {
    i32::try_from(secs.div_euclid(BUCKET_SECONDS)).unwrap_or(i32::MAX)
}

/// The bucket holding instant `at`.
#[must_use]
pub fn bucket_of_time(at: OffsetDateTime) -> i32 {
    bucket_of_unix(at.unix_timestamp())
}

/// The bucket of a message, from its TIMEUUID's time; `None` when the id is not a
/// TIMEUUID (such a message cannot be stored: the aggregate refuses it).
#[must_use]
pub fn bucket_of_message(id: MessageId) -> Option<i32> {
    // Other time-based UUIDs (v6, v7) carry a time too, but CQL's `timeuuid` is v1 only.
    if !id.is_time_uuid() {
        return None;
    }
    id.unix_time()
        .map(|(secs, _)| bucket_of_unix(i64::try_from(secs).unwrap_or(i64::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::{Timestamp, Uuid};

    #[test]
    fn buckets_are_ten_day_windows_of_the_timeuuid_time() {
        let at = |secs| {
            MessageId::from_uuid(Uuid::new_v1(
                Timestamp::from_unix_time(secs, 0, 0, 14),
                &[1; 6],
            ))
        };
        let b = bucket_of_message(at(1_700_000_000)).expect("timeuuid");
        assert_eq!(b, 1_700_000_000 / 864_000);
        assert_eq!(bucket_of_message(at(1_700_000_000 + 864_000)), Some(b + 1));
        assert_eq!(
            bucket_of_time(OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("t")),
            b
        );
        assert_eq!(bucket_of_message(MessageId::from_uuid(Uuid::nil())), None);
        assert_eq!(
            bucket_of_message(MessageId::from_uuid(Uuid::now_v7())),
            None
        );
    }
}
