//! The bounded per-chat replay buffer: the last N event frames of a chat, contiguous
//! in version, so a reconnecting client gets what it missed or learns it must refetch.

use std::collections::VecDeque;

use crate::protocol::Frame;

/// The newest frames of one chat, oldest first, with no version missing between them.
#[derive(Debug, Clone)]
pub struct ReplayBuffer {
    capacity: usize,
    frames: VecDeque<(u64, Frame)>,
    bytes: usize,
}

/// What a client that saw up to some version missed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missed<'a> {
    /// Exactly these frames (possibly none), in order.
    Frames(Vec<&'a (u64, Frame)>),
    /// More than the buffer holds, or nothing is buffered to tell: refetch.
    Gap,
}

impl ReplayBuffer {
    /// An empty buffer keeping at most `capacity` frames (at least one).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            frames: VecDeque::new(),
            bytes: 0,
        }
    }

    /// The size of the buffered frames' text.
    #[must_use]
    pub const fn bytes(&self) -> usize {
        self.bytes
    }

    /// The newest version buffered.
    #[must_use]
    pub fn last_version(&self) -> Option<u64> {
        self.frames.back().map(|(v, _)| *v)
    }

    /// Appends the frame of `version`. An old version (a redelivery) is refused
    /// (`false`); a jump over missing versions restarts the buffer, so it never claims
    /// to cover a version it did not see.
    pub fn push(&mut self, version: u64, frame: Frame) -> bool {
        match self.last_version() {
            Some(last) if version <= last => return false,
            Some(last) if version != last + 1 => self.clear(),
            _ => {}
        }
        if self.frames.len() == self.capacity
            && let Some((_, oldest)) = self.frames.pop_front()
        {
            self.bytes -= oldest.text.len();
        }
        self.bytes += frame.text.len();
        self.frames.push_back((version, frame));
        true
    }

    /// Forgets every frame (the chat's buffer was evicted to bound memory).
    pub fn clear(&mut self) {
        self.frames.clear();
        self.bytes = 0;
    }

    /// What a client that saw up to `seen` missed.
    #[must_use]
    pub fn missed_since(&self, seen: u64) -> Missed<'_> {
        let Some((first, _)) = self.frames.front() else {
            return Missed::Gap;
        };
        if seen.saturating_add(1) < *first {
            return Missed::Gap;
        }
        Missed::Frames(self.frames.iter().filter(|(v, _)| *v > seen).collect())
    }
}

#[cfg(test)]
mod tests {
    use chat_domain::ChatId;

    use super::*;

    fn frame(v: u64) -> Frame {
        Frame {
            chat_id: ChatId::from_uuid(uuid::Uuid::from_u128(1)),
            version: Some(v),
            text: v.to_string().into(),
        }
    }

    fn versions(missed: &Missed<'_>) -> Vec<u64> {
        match missed {
            Missed::Frames(frames) => frames.iter().map(|(v, _)| *v).collect(),
            Missed::Gap => panic!("a gap"),
        }
    }

    #[test]
    fn keeps_the_newest_and_answers_what_was_missed() {
        let mut buffer = ReplayBuffer::new(3);
        assert_eq!(buffer.missed_since(0), Missed::Gap);
        for v in 1..=5 {
            assert!(buffer.push(v, frame(v)));
        }
        assert!(!buffer.push(4, frame(4)), "a redelivery is refused");
        assert_eq!(buffer.bytes(), 3, "the text of 3, 4 and 5");
        assert_eq!(versions(&buffer.missed_since(2)), vec![3, 4, 5]);
        assert_eq!(versions(&buffer.missed_since(4)), vec![5]);
        assert_eq!(versions(&buffer.missed_since(9)), Vec::<u64>::new());
        assert_eq!(buffer.missed_since(1), Missed::Gap);
    }

    #[test]
    fn a_jump_restarts_the_buffer() {
        let mut buffer = ReplayBuffer::new(5);
        buffer.push(1, frame(1));
        buffer.push(2, frame(2));
        buffer.push(7, frame(7));
        assert_eq!(buffer.missed_since(2), Missed::Gap);
        assert_eq!(versions(&buffer.missed_since(6)), vec![7]);
    }
}
