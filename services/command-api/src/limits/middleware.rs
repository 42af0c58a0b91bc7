//! The write throttle: a token of the caller's bucket for every request under `/api/`
//! that is not a read.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError, web};

use crate::http::caller::Caller;
use crate::limits::WriteLimits;

/// Answers 429 (with `Retry-After`) to a write whose caller's bucket is empty, before
/// the body is read or anything is decided. A request without a valid token passes: its
/// route answers 401.
///
/// # Errors
/// Whatever the inner service fails with.
pub async fn throttle_writes(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if is_write(&req) {
        let limits = req.app_data::<web::Data<WriteLimits>>().cloned();
        if let (Some(limits), Ok(caller)) = (limits, req.extract::<Caller>().await) {
            if let Err(refused) = limits.write(&caller.actor) {
                let response = refused.error_response();
                return Ok(req.into_response(response).map_into_right_body());
            }
            // The route's `Caller` is this one: its token is verified once per request.
            req.extensions_mut().insert(caller);
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

fn is_write(req: &ServiceRequest) -> bool {
    req.path().starts_with("/api/")
        && !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
}
