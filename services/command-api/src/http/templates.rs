//! Message templates (the seed's template queries): read-only for any authenticated
//! caller, active templates only. Operators manage the rows.

use actix_web::{HttpResponse, web};
use chat_domain::ChatError;
use chat_domain::text::{self, TextKind};
use chat_read_model::model::TemplateRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::caller::Caller;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::paths::TemplatePath;
use crate::http::read::ReadSide;
use crate::http::refusals::{ReadRefusals, Refusals};

/// `GET /api/templates` query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TemplatesParams {
    /// Only templates of this category.
    #[serde(default)]
    pub category: Option<String>,
}

/// `GET /api/templates`: the active templates.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateList {
    /// By category and name.
    templates: Vec<TemplateRecord>,
}

/// `GET /api/templates[?category=]`: active templates by category and name.
#[utoipa::path(
    get,
    path = "/api/templates",
    operation_id = "listTemplates",
    params(TemplatesParams),
    responses(
        (status = 200, description = "The active templates", body = TemplateList),
        Refusals,
        ReadRefusals
    )
)]
pub async fn list(
    read: web::Data<ReadSide>,
    _caller: Caller,
    params: web::Query<TemplatesParams>,
) -> Result<HttpResponse, ApiError> {
    if let Some(category) = &params.category {
        text::check("category", TextKind::SingleLine, category).map_err(ChatError::from)?;
    }
    let templates = read.chats.templates(params.category.as_deref()).await?;
    Ok(HttpResponse::Ok().json(TemplateList { templates }))
}

/// `GET /api/templates/{id}`: one active template (404 otherwise).
#[utoipa::path(
    get,
    path = "/api/templates/{id}",
    operation_id = "getTemplate",
    params(TemplatePath),
    responses(
        (status = 200, description = "The template", body = TemplateRecord),
        Refusals,
        ReadRefusals
    )
)]
pub async fn get(
    read: web::Data<ReadSide>,
    _caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(match read.chats.template(*id).await? {
        Some(template) => HttpResponse::Ok().json(template),
        None => {
            HttpResponse::NotFound().json(ErrorBody::new("template_not_found", "no such template"))
        }
    })
}
