//! Message templates (the seed's template queries): read-only for any authenticated
//! caller, active templates only. Operators manage the rows.

use actix_web::{HttpResponse, web};
use chat_domain::ChatError;
use chat_domain::text::{self, TextKind};
use chat_read_model::ChatQueries;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::read::ReadSide;

/// `GET /api/templates` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplatesParams {
    /// Only templates of this category.
    #[serde(default)]
    pub category: Option<String>,
}

/// `GET /api/templates[?category=]`: active templates by category and name.
pub async fn list(
    read: web::Data<ReadSide>,
    _caller: Caller,
    params: web::Query<TemplatesParams>,
) -> Result<HttpResponse, ApiError> {
    if let Some(category) = &params.category {
        text::check("category", TextKind::SingleLine, category).map_err(ChatError::from)?;
    }
    let templates = read.chats.templates(params.category.as_deref()).await?;
    Ok(HttpResponse::Ok().json(json!({ "templates": templates })))
}

/// `GET /api/templates/{id}`: one active template (404 otherwise).
pub async fn get(
    read: web::Data<ReadSide>,
    _caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(match read.chats.template(*id).await? {
        Some(template) => HttpResponse::Ok().json(template),
        None => HttpResponse::NotFound().json(json!({
            "error": { "code": "template_not_found", "message": "no such template" }
        })),
    })
}
