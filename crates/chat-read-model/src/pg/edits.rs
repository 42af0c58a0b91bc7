//! The edit history of a message (`message_edits`).

use chat_domain::{ChatId, MessageId};
use sqlx::Row;

use super::{PgReadModels, db, u};
use crate::model::EditRecord;
use crate::ports::{EditQueries, Result};

impl EditQueries for PgReadModels {
    async fn edits(&self, chat_id: ChatId, message_id: MessageId) -> Result<Vec<EditRecord>> {
        let rows = sqlx::query(
            "SELECT version, content, previous_content, edited_at \
             FROM message_edits WHERE chat_id = $1 AND message_id = $2 ORDER BY version DESC",
        )
        .bind(chat_id.as_uuid())
        .bind(message_id.as_uuid())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                Ok(EditRecord {
                    version: u(row.try_get("version").map_err(db)?),
                    content: row.try_get("content").map_err(db)?,
                    previous_content: row.try_get("previous_content").map_err(db)?,
                    edited_at: row.try_get("edited_at").map_err(db)?,
                })
            })
            .collect()
    }
}
