//! Whether the bot can serve each linked supergroup: a member that sees every message.
//!
//! A bot with privacy mode on (BotFather's default) that is not an admin sees only
//! commands and replies to itself, so a link to its group would look dead from the
//! chat. Each linked group is checked at start, when a link is learned, on
//! command-api's ask at link time (`GET /telegram/groups/{chat_id}/access` on the
//! operations port), and every `TELEGRAM_ACCESS_CHECK_EVERY_S`:
//! - sees everything: fine (and a broken mark from a lost membership is cleared);
//! - commands only: counted in `telegram_groups_commands_only`, logged, and `/readyz`
//!   fails its `telegram_groups` check naming the groups until fixed;
//! - not a member: the links are marked broken ([`LinkHealth`]).
//!
//! A group the bot is in is also followed from then on
//! ([`TelegramGateway::follow`]), so its updates are caught up after a restart even if
//! none was handled before.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use actix_web::{HttpResponse, web};
use chat_domain::chat::telegram_ids;
use chat_runtime::connect::ConnectError;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::adapters::pg::BridgeStore;
use crate::link_health::LinkHealth;
use crate::metrics::GROUPS_COMMANDS_ONLY;
use crate::ports::{ChatAccess, GatewayError, TelegramGateway};

/// The path command-api asks at link time.
pub const ACCESS_PATH: &str = "/telegram/groups/{chat_id}/access";

/// The bot's access to the linked groups, as last checked.
#[derive(Debug)]
pub struct AccessWatch<G> {
    gateway: Arc<G>,
    store: BridgeStore,
    links: LinkHealth,
    commands_only: Arc<Mutex<BTreeSet<i64>>>,
}

impl<G> Clone for AccessWatch<G> {
    fn clone(&self) -> Self {
        Self {
            gateway: Arc::clone(&self.gateway),
            store: self.store.clone(),
            links: self.links.clone(),
            commands_only: Arc::clone(&self.commands_only),
        }
    }
}

impl<G: TelegramGateway> AccessWatch<G> {
    /// A watch asking `gateway`, marking lost groups in `links`.
    pub fn new(gateway: Arc<G>, store: BridgeStore, links: LinkHealth) -> Self {
        Self {
            gateway,
            store,
            links,
            commands_only: Arc::default(),
        }
    }

    /// Checks supergroup `group` now and records what it found.
    ///
    /// # Errors
    /// What Telegram answered: [`GatewayError::NoAccess`] when the bot is not a member.
    pub async fn check(&self, group: i64) -> Result<ChatAccess, GatewayError> {
        // A basic group (a link made before only supergroups linked) has no participant
        // to ask for; it moves to a supergroup when Telegram upgrades it.
        if !telegram_ids::is_supergroup_dialog_id(group) {
            return Ok(ChatAccess::SeesAll);
        }
        let access = self.gateway.access(group).await;
        let recorded = match &access {
            Ok(ChatAccess::SeesAll) => {
                self.set_commands_only(group, false);
                self.links.healthy(group).await.map(|_| ())
            }
            Ok(ChatAccess::CommandsOnly) => {
                if self.set_commands_only(group, true) {
                    tracing::error!(
                        telegram_chat_id = group,
                        "the bot sees only commands in a linked group (privacy mode on, not an \
                         admin): make it an admin or turn privacy off with BotFather /setprivacy"
                    );
                }
                Ok(())
            }
            Err(GatewayError::NoAccess(reason)) => {
                self.set_commands_only(group, false);
                self.links.broken(group, reason).await.map(|_| ())
            }
            Err(_) => Ok(()),
        };
        if let Err(e) = recorded {
            tracing::warn!(telegram_chat_id = group, error.message = %e, "cannot record a group's access");
        }
        // A group the bot is in gets a position in its update sequence, so a restart
        // catches up on it even before any of its updates was handled.
        if access.is_ok()
            && let Err(e) = self.gateway.follow(group).await
        {
            tracing::warn!(telegram_chat_id = group, error.message = %e, "cannot start following a group's updates");
        }
        access
    }

    /// Checks every linked group (failures are logged; the next round tries again).
    pub async fn check_all(&self) {
        let groups = match self.store.linked_groups().await {
            Ok(groups) => groups,
            Err(e) => {
                tracing::warn!(error.message = %e, "cannot list the linked groups to check");
                return;
            }
        };
        // Groups no longer linked are forgotten; each check below counts the others.
        let linked: BTreeSet<i64> = groups.iter().copied().collect();
        self.commands_only().retain(|group| linked.contains(group));
        GROUPS_COMMANDS_ONLY.set(self.count());
        for group in groups {
            if let Err(e) = self.check(group).await {
                tracing::warn!(telegram_chat_id = group, error.message = %e, "cannot check the bot's access to a group");
            }
        }
    }

    /// Checks every linked group now and then every `every`, until `shutdown`.
    pub async fn run(&self, every: Duration, shutdown: CancellationToken) {
        loop {
            self.check_all().await;
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(every) => {}
            }
        }
    }

    /// The readiness probe: failing while some linked group shows the bot only commands.
    pub fn probe(
        &self,
    ) -> impl Fn() -> std::future::Ready<Result<(), ConnectError>> + Send + Sync + 'static {
        let commands_only = Arc::clone(&self.commands_only);
        move || {
            let groups = lock(&commands_only);
            std::future::ready(if groups.is_empty() {
                Ok(())
            } else {
                Err(ConnectError::Refused(
                    "Telegram",
                    format!(
                        "the bot sees only commands in linked groups {groups:?} (privacy mode \
                         on, not an admin): make it an admin or turn privacy off"
                    ),
                ))
            })
        }
    }

    /// Records whether `group` shows the bot only commands; `true` when that changed.
    fn set_commands_only(&self, group: i64, commands_only: bool) -> bool {
        let changed = {
            let mut groups = self.commands_only();
            if commands_only {
                groups.insert(group)
            } else {
                groups.remove(&group)
            }
        };
        GROUPS_COMMANDS_ONLY.set(self.count());
        changed
    }

    fn count(&self) -> i64 {
        i64::try_from(self.commands_only().len()).unwrap_or(i64::MAX)
    }

    fn commands_only(&self) -> MutexGuard<'_, BTreeSet<i64>> {
        lock(&self.commands_only)
    }
}

fn lock(groups: &Mutex<BTreeSet<i64>>) -> MutexGuard<'_, BTreeSet<i64>> {
    groups.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `GET /telegram/groups/{chat_id}/access`: what the bot sees of the group, checked now
/// (command-api asks before it links a chat).
pub async fn access_route<G: TelegramGateway>(
    watch: web::Data<AccessWatch<G>>,
    chat_id: web::Path<i64>,
) -> HttpResponse {
    let group = chat_id.into_inner();
    let (member, sees_all, reason) = match watch.check(group).await {
        Ok(ChatAccess::SeesAll) => (true, true, None),
        Ok(ChatAccess::CommandsOnly) => (true, false, None),
        Err(GatewayError::NoAccess(reason)) => (false, false, Some(reason)),
        Err(GatewayError::Rejected(reason)) => {
            return HttpResponse::BadRequest().json(json!({
                "error": { "code": "telegram_refused", "message": reason }
            }));
        }
        Err(other) => {
            return HttpResponse::ServiceUnavailable().json(json!({
                "error": { "code": "telegram_unavailable", "message": other.to_string() }
            }));
        }
    };
    HttpResponse::Ok().json(json!({
        "telegram_chat_id": group,
        "member": member,
        "sees_all_messages": sees_all,
        "reason": reason,
    }))
}
