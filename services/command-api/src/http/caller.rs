//! Who is calling and in which context: the authenticated actor, the correlation id and
//! the W3C trace context of the request.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use chat_auth::{AuthError, Authenticator};
use chat_domain::{Actor, EnvelopeMeta, UserId};
use chat_runtime::trace_context;
use uuid::Uuid;

use crate::http::error::ApiError;

/// The authenticated caller of a route.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The actor the token stands for.
    pub actor: Actor,
    /// Correlation id: the client's `X-Correlation-Id` when it is a UUID, else a new one.
    pub correlation_id: Uuid,
    /// `traceparent` / `tracestate` headers, carried into the Kafka records.
    pub trace_context: Vec<(String, String)>,
}

impl Caller {
    /// The user behind the token.
    ///
    /// # Errors
    /// [`ApiError::Rejected`] with `service_actor_not_allowed` when a service identity
    /// calls a route that only users may call.
    pub fn user_id(&self) -> Result<UserId, ApiError> {
        self.actor.user_id().ok_or(ApiError::Rejected(
            chat_domain::ChatError::ServiceActorNotAllowed,
        ))
    }

    /// The envelope facts of the events this request causes.
    pub fn meta(&self) -> EnvelopeMeta {
        EnvelopeMeta {
            actor: self.actor.clone(),
            correlation_id: self.correlation_id,
            causation_id: None,
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // The write throttle authenticated the request already when it left the caller.
        let known = req.extensions().get::<Self>().cloned();
        ready(known.map_or_else(|| authenticate(req), Ok))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let auth = req
        .app_data::<web::Data<Authenticator>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no authenticator configured")))?;
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .map(|h| {
            h.to_str()
                .map_err(|_| AuthError::Invalid("non-ASCII header".into()))
        })
        .transpose()?;
    let actor = auth.authenticate_header(header)?;
    let correlation_id = req
        .headers()
        .get("x-correlation-id")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| Uuid::parse_str(h).ok())
        .unwrap_or_else(Uuid::new_v4);
    // The request's own span (see chat_runtime::http_trace) when tracing is on, so the
    // events continue this trace; otherwise whatever trace the client sent.
    let mut trace_context = trace_context::headers_of(&tracing::Span::current());
    if trace_context.is_empty() {
        trace_context = ["traceparent", "tracestate"]
            .into_iter()
            .filter_map(|name| {
                let value = req.headers().get(name)?.to_str().ok()?;
                Some((name.to_owned(), value.to_owned()))
            })
            .collect();
    }
    Ok(Caller {
        actor,
        correlation_id,
        trace_context,
    })
}
