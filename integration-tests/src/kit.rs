//! Transitional: the test support that lived here is now `chat-test-kit`; this library
//! re-exports it so crates not yet moved over keep building. It goes once none uses it.

pub use chat_test_kit::*;
