//! One connection's task: it `select!`s over the client's frames, the frames the hub
//! routed to it, the heartbeat, and being cut (shutdown or too slow).
//!
//! Every write can be interrupted by the stop token, so a client that does not read
//! never pins the task. Chat-event frames carry their chat version; the task remembers
//! the last version it wrote per chat and skips anything not newer, which makes a
//! resume plus the live stream exactly-once and in order.
//!
//! Client frames pass the connection's frame buckets: over the rate a frame is refused
//! with a `rate_limited` error frame, and a client that keeps going is closed (4429). A
//! frame over the size limit closes the connection (1009).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_ws::{
    AggregatedMessage, AggregatedMessageStream, CloseReason, MessageStream, ProtocolError, Session,
};
use chat_domain::{ChatError, ChatId, UserId};
use time::OffsetDateTime;
use tokio::sync::OwnedSemaphorePermit;
use tokio_util::sync::CancellationToken;

use super::Gateway;
use crate::hub::{Connection, Resumed, TypingRefused};
use crate::limits::{FrameLimiter, FrameVerdict, UserSlot};
use crate::metrics::{FRAMES_REFUSED, LIMIT_CLOSES};
use crate::protocol::{self, ClientMessage, CloseWhy, Frame, ServerFrame, TypingSignal};

/// A freshly upgraded socket.
pub(super) struct Opened {
    pub session: Session,
    pub stream: MessageStream,
    /// The registered connection, or why to close at once (with a detail).
    pub admitted: Result<Admitted, (CloseWhy, Option<String>)>,
    pub resume: Option<String>,
    pub permit: OwnedSemaphorePermit,
    /// The user's place under their connection cap (none for a refused token).
    pub slot: Option<UserSlot>,
}

/// An authenticated user's connection, registered in the hub.
pub(super) struct Admitted {
    pub connection: Connection,
    /// The display name from the token.
    pub name: Option<String>,
}

/// Why the loop ended.
#[derive(Debug)]
enum End {
    /// The socket is gone: nothing more to say.
    Gone,
    /// The client closed: the close frame is answered with its own reason.
    Echo(Option<CloseReason>),
    /// The gateway closes, for this reason.
    Close(CloseWhy),
}

/// Runs one connection to its end.
pub(super) async fn run(gateway: Arc<Gateway>, opened: Opened) {
    let Opened {
        session,
        stream,
        admitted,
        resume,
        permit: _permit,
        slot: _slot,
    } = opened;
    let Admitted { connection, name } = match admitted {
        Ok(admitted) => admitted,
        Err((why, detail)) => {
            return close(
                session,
                why,
                detail.as_deref(),
                gateway.session.idle_timeout,
            )
            .await;
        }
    };
    let mut live = Live {
        stop: connection.kicked.clone(),
        session,
        user: connection.user,
        name,
        cursors: HashMap::new(),
        frames: FrameLimiter::new(&gateway.session.frames),
        gateway: Arc::clone(&gateway),
    };
    tracing::debug!(user_id = %live.user, "connection opened");
    let max_bytes = gateway.session.frames.max_bytes;
    let stream = stream
        .max_frame_size(max_bytes)
        .aggregate_continuations()
        .max_continuation_size(max_bytes);
    let end = live.serve(connection, stream, resume).await;
    tracing::debug!(user_id = %live.user, end = ?end, "connection ended");
    let Live { session, .. } = live;
    match end {
        End::Gone => {}
        End::Echo(reason) => {
            let grace = gateway.session.idle_timeout;
            tokio::time::timeout(grace, session.close(reason))
                .await
                .ok();
        }
        End::Close(why) => close(session, why, None, gateway.session.idle_timeout).await,
    }
}

/// Sends the close frame, waiting at most `grace` (the idle timeout) for room in the
/// socket: a client too slow to read gets its close frame if it reads again in time,
/// and a dead one does not keep the task.
async fn close(session: Session, why: CloseWhy, detail: Option<&str>, grace: Duration) {
    let reason = why.reason(detail);
    if tokio::time::timeout(grace, session.close(Some(reason)))
        .await
        .is_err()
    {
        tracing::debug!("close frame not sent: the client is not reading");
    }
}

/// An authenticated, registered connection.
struct Live {
    session: Session,
    user: UserId,
    name: Option<String>,
    /// The last chat version written to the client, per chat.
    cursors: HashMap<ChatId, u64>,
    /// The rate of the client's frames.
    frames: FrameLimiter,
    stop: CancellationToken,
    gateway: Arc<Gateway>,
}

impl Live {
    async fn serve(
        &mut self,
        mut connection: Connection,
        mut stream: AggregatedMessageStream,
        resume: Option<String>,
    ) -> End {
        if let Some(query) = resume {
            let outcome = match protocol::parse_resume(&query) {
                Ok(chats) => self.resume(chats).await,
                Err(message) => self.send_error("bad_resume", &message).await,
            };
            if let Err(end) = outcome {
                return end;
            }
        }
        let settings = self.gateway.session;
        let mut heartbeat = tokio::time::interval_at(
            tokio::time::Instant::now() + settings.heartbeat,
            settings.heartbeat,
        );
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_heard = Instant::now();
        loop {
            let step = tokio::select! {
                biased;
                () = self.stop.cancelled() => Err(stopped(&self.gateway.shutdown)),
                // Before the streams, so a steady flow of frames cannot starve it.
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > settings.idle_timeout {
                        Err(End::Close(CloseWhy::Idle))
                    } else {
                        self.ping().await
                    }
                }
                message = stream.recv() => match message {
                    Some(Ok(message)) => {
                        last_heard = Instant::now();
                        self.on_message(message).await
                    }
                    Some(Err(e)) if too_big(&e) => {
                        LIMIT_CLOSES.with_label_values(&["frame_size"]).inc();
                        Err(End::Close(CloseWhy::TooBig))
                    }
                    None | Some(Err(_)) => Err(End::Gone),
                },
                frame = connection.frames.recv() => match frame {
                    Some(frame) => self.push(frame).await,
                    // The hub dropped this connection: it was too slow.
                    None => Err(End::Close(CloseWhy::SlowConsumer)),
                },
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    async fn on_message(&mut self, message: AggregatedMessage) -> Result<(), End> {
        // Pongs answer our pings and a close ends the loop: neither is the client's to
        // multiply.
        let counted = !matches!(
            message,
            AggregatedMessage::Pong(_) | AggregatedMessage::Close(_)
        );
        if counted && !self.admit_frame().await? {
            return Ok(());
        }
        match message {
            AggregatedMessage::Text(text) => match serde_json::from_str::<ClientMessage>(&text) {
                Ok(ClientMessage::Typing { chat_id }) => self.typing(chat_id).await,
                Ok(ClientMessage::Resume { chats }) => self.resume(chats).await,
                Err(e) => self.send_error("malformed_frame", &e.to_string()).await,
            },
            AggregatedMessage::Binary(_) => {
                self.send_error("unsupported_frame", "frames are JSON text messages")
                    .await
            }
            AggregatedMessage::Ping(bytes) => {
                guarded(
                    &self.stop,
                    &self.gateway.shutdown,
                    self.session.pong(&bytes),
                )
                .await
            }
            AggregatedMessage::Pong(_) => Ok(()),
            AggregatedMessage::Close(reason) => Err(End::Echo(reason)),
        }
    }

    /// Whether a client frame is within the rate; a refused one is answered with a
    /// `rate_limited` error frame, and one too many refusals close the connection.
    async fn admit_frame(&mut self) -> Result<bool, End> {
        match self.frames.admit() {
            FrameVerdict::Accept => Ok(true),
            FrameVerdict::Refuse(wait) => {
                FRAMES_REFUSED.inc();
                let message = format!(
                    "too many frames: this one was dropped; slow down (next in {} ms)",
                    wait.as_millis().max(1)
                );
                self.send_error("rate_limited", &message).await?;
                Ok(false)
            }
            FrameVerdict::Close => {
                LIMIT_CLOSES.with_label_values(&["frame_rate"]).inc();
                Err(End::Close(CloseWhy::RateLimited))
            }
        }
    }

    async fn typing(&mut self, chat_id: ChatId) -> Result<(), End> {
        let signal = TypingSignal {
            chat_id,
            user_id: self.user,
            name: self.name.clone(),
            at: OffsetDateTime::now_utc(),
        };
        match self.gateway.hub.typing(&signal, Instant::now()) {
            Ok(()) => {
                if let Some(relay) = &self.gateway.relay {
                    relay.publish(&signal);
                }
                Ok(())
            }
            Err(TypingRefused::TooFrequent) => Ok(()),
            Err(TypingRefused::Rule(broken)) => {
                self.send_error(broken.code(), &broken.to_string()).await
            }
        }
    }

    async fn resume(&mut self, chats: HashMap<ChatId, u64>) -> Result<(), End> {
        let mut chats: Vec<_> = chats.into_iter().collect();
        chats.sort_unstable();
        for (chat, seen) in chats {
            if let Some(&written) = self.cursors.get(&chat) {
                // Live frames of this chat already went out: replaying older ones now
                // would break the order, so the client refetches instead.
                if seen >= written {
                    self.cursors.insert(chat, seen);
                } else {
                    self.send(&ServerFrame::Resync { chat_id: chat }).await?;
                }
                continue;
            }
            match self.caught_up_resume(chat, seen).await {
                Resumed::Frames(frames) => {
                    self.cursors.insert(chat, seen);
                    for frame in frames {
                        self.push(frame).await?;
                    }
                }
                Resumed::Resync | Resumed::Behind => {
                    // The client has everything up to `seen`: live frames up to it
                    // (a lagging replica catching up) are not sent again.
                    self.cursors.insert(chat, seen);
                    self.send(&ServerFrame::Resync { chat_id: chat }).await?;
                }
                Resumed::NotAParticipant => {
                    let message = format!("chat {chat}: you do not participate in it");
                    let code = ChatError::NotAParticipant.code();
                    self.send_error(code, &message).await?;
                }
            }
        }
        Ok(())
    }

    /// The hub's answer to a resume of `chat` from `seen`. While this replica has not
    /// routed `seen` yet (it lags the one the client came from), it asks again after
    /// each routed event, for at most the resume wait; still behind then, the client
    /// must refetch.
    async fn caught_up_resume(&self, chat: ChatId, seen: u64) -> Resumed {
        let hub = &self.gateway.hub;
        let deadline = tokio::time::Instant::now() + self.gateway.session.resume_wait;
        loop {
            let routed = hub.next_routed();
            match hub.resume(self.user, chat, seen) {
                Resumed::Behind if tokio::time::timeout_at(deadline, routed).await.is_ok() => {}
                answer => return answer,
            }
        }
    }

    /// Writes a routed frame unless the client already has that chat version.
    async fn push(&mut self, frame: Frame) -> Result<(), End> {
        if let Some(version) = frame.version {
            if self
                .cursors
                .get(&frame.chat_id)
                .is_some_and(|written| version <= *written)
            {
                return Ok(());
            }
            self.cursors.insert(frame.chat_id, version);
        }
        self.write(frame.text.to_string()).await
    }

    async fn ping(&mut self) -> Result<(), End> {
        guarded(&self.stop, &self.gateway.shutdown, self.session.ping(b"")).await
    }

    async fn send(&mut self, frame: &ServerFrame<'_>) -> Result<(), End> {
        self.write(frame.to_string()).await
    }

    /// Sends an `error` frame; the connection stays open.
    async fn send_error(&mut self, code: &str, message: &str) -> Result<(), End> {
        self.send(&ServerFrame::Error { code, message }).await
    }

    async fn write(&mut self, text: String) -> Result<(), End> {
        guarded(&self.stop, &self.gateway.shutdown, self.session.text(text)).await
    }
}

/// Whether the stream failed on a frame (or a message of continuations) over the size
/// limit. actix-ws reports an oversized message of continuations only as an I/O error
/// with this text.
fn too_big(error: &ProtocolError) -> bool {
    match error {
        ProtocolError::Overflow => true,
        ProtocolError::Io(e) => e.to_string().contains("maximum continuation size"),
        _ => false,
    }
}

/// Why the stop token fired: shutdown, or the hub cut a client too slow to read.
fn stopped(shutdown: &CancellationToken) -> End {
    if shutdown.is_cancelled() {
        End::Close(CloseWhy::Restart)
    } else {
        End::Close(CloseWhy::SlowConsumer)
    }
}

/// Runs a socket write unless `stop` fires first.
async fn guarded<F, E>(
    stop: &CancellationToken,
    shutdown: &CancellationToken,
    write: F,
) -> Result<(), End>
where
    F: std::future::Future<Output = Result<(), E>>,
{
    tokio::select! {
        biased;
        () = stop.cancelled() => Err(stopped(shutdown)),
        written = write => written.map_err(|_| End::Gone),
    }
}
