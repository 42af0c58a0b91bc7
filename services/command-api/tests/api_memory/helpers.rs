//! `TestApp` of the memory-backed suite: command-api's routes on a free port over the
//! memory adapters ([`MemoryApp`]). Its requests are [`ApiClient`]'s, shared with the
//! real-server suite, so a scenario reads the same in both; every answer is checked
//! against the OpenAPI document ([`crate::schema`]).

use std::ops::Deref;
use std::sync::Arc;

use chat_media::MemoryMediaStore;
use chat_test_kit::tokens::TEST_SECRET;
use command_api::testing::memory::MemoryApp;
use uuid::Uuid;

pub use crate::client::{ApiClient, User, error_code};

/// A command-api over memory, and a client of it.
pub struct TestApp {
    /// The requests, by route.
    pub api: ApiClient,
    /// The object store of media messages (in memory).
    pub media: Arc<MemoryMediaStore>,
    pub app: MemoryApp,
}

impl Deref for TestApp {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        &self.api
    }
}

impl TestApp {
    /// A command-api with the default settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// A command-api with extra command-line flags.
    pub async fn spawn_with(extra: &[&str]) -> Self {
        let media = Arc::new(MemoryMediaStore::new());
        let store: Arc<dyn chat_media::MediaStore> = Arc::clone(&media) as _;
        let app = MemoryApp::spawn(TEST_SECRET, extra, Some(store)).expect("command-api starts");
        Self {
            api: ApiClient::new(app.addr()),
            media,
            app,
        }
    }

    /// The stored versions of `chat`, in order.
    pub async fn stored_versions(&self, chat: Uuid) -> Vec<i64> {
        let chat = chat_domain::ChatId::from_uuid(chat);
        self.app
            .events()
            .events(chat)
            .iter()
            .map(|e| i64::try_from(e.version).expect("a version fits i64"))
            .collect()
    }

    /// How many events are stored, of every chat.
    pub async fn stored_event_count(&self) -> i64 {
        i64::try_from(self.app.events().event_count()).expect("a count fits i64")
    }
}
