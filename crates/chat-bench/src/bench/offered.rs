//! The offered send load of the capacity and hop phases: sends spread round-robin over
//! [`CHATS`] chats of one user, offered open-loop at a fixed rate ([`super::open_loop`]).

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use super::end_to_end::group;
use super::open_loop::{self, Outcome};
use chat_test_kit::client::{Api, User};

/// Chats the sends are spread over (as many independent conversations).
pub const CHATS: usize = 64;

/// A send not answered within this counts as failed (the step is overloaded).
const TIMEOUT: Duration = Duration::from_secs(2);

/// Chats ready to be sent to.
#[derive(Debug, Clone)]
pub struct SendLoad {
    api: Api,
    owner: Arc<User>,
    chats: Arc<Vec<Uuid>>,
}

impl SendLoad {
    /// Creates the [`CHATS`] chats through `api`.
    ///
    /// # Errors
    /// When a chat cannot be created.
    pub async fn prepare(api: &Api) -> anyhow::Result<Self> {
        let owner = User::new("Load");
        let mut chats = Vec::with_capacity(CHATS);
        for _ in 0..CHATS {
            chats.push(group(api, &owner, &[]).await?);
        }
        Ok(Self {
            api: api.clone(),
            owner: Arc::new(owner),
            chats: Arc::new(chats),
        })
    }

    /// Offers `rate` sends per second for `duration`: `POST /api/chats/{id}/messages`,
    /// successful when answered 201 (stored and projected: read-your-writes met).
    pub async fn offer(&self, rate: f64, duration: Duration) -> Outcome {
        open_loop::run(rate, duration, TIMEOUT, |n| {
            let load = self.clone();
            async move { load.send(n).await }
        })
        .await
    }

    async fn send(&self, n: u64) -> Result<(), String> {
        let chat = self.chats[(n as usize) % self.chats.len()];
        let body = json!({ "content": format!("offered message number {n} with some text") });
        let path = format!("/api/chats/{chat}/messages");
        match self
            .api
            .try_call(&self.owner, Method::POST, &path, Some(body), None)
            .await
        {
            Ok((201, _)) => Ok(()),
            Ok((status, answer)) => Err(format!("status {status}: {answer}")),
            Err(e) => Err(e.to_string()),
        }
    }
}
