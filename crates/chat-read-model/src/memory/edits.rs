//! The edit history over the in-memory state.

use chat_domain::{ChatId, MessageId};

use super::MemoryReadModels;
use crate::model::EditRecord;
use crate::ports::{EditQueries, Result};

impl EditQueries for MemoryReadModels {
    async fn edits(&self, chat_id: ChatId, message_id: MessageId) -> Result<Vec<EditRecord>> {
        let mut edits = self
            .state()
            .edits
            .get(&(chat_id, message_id))
            .cloned()
            .unwrap_or_default();
        edits.reverse();
        Ok(edits)
    }
}
