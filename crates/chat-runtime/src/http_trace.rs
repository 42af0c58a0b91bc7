//! A span per HTTP request, continuing the caller's trace when the request carries W3C
//! `traceparent` / `tracestate` headers, so a REST call and everything it causes downstream
//! (outbox, Kafka, consumers) is one trace.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use tracing::Instrument;

use crate::trace_context;

/// Actix middleware (`.wrap(from_fn(http_trace::trace_request))`): runs the request inside
/// an `http_request` span that is a child of the caller's trace, if any.
///
/// # Errors
/// Whatever the wrapped service returns.
pub async fn trace_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let span = tracing::info_span!(
        "http_request",
        http.method = %req.method(),
        http.route = tracing::field::Empty,
        http.status_code = tracing::field::Empty,
        otel.kind = "server",
    );
    let incoming: Vec<(String, String)> = ["traceparent", "tracestate"]
        .into_iter()
        .filter_map(|name| {
            let value = req.headers().get(name)?.to_str().ok()?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect();
    trace_context::continue_trace(&span, &incoming);
    let response = next.call(req).instrument(span.clone()).await?;
    // The route pattern is only known after routing, which runs inside this middleware.
    if let Some(route) = response.request().match_pattern() {
        span.record("http.route", route.as_str());
    }
    span.record("http.status_code", response.status().as_u16());
    Ok(response)
}
