//! The OpenAPI document of the API, generated from the handlers' `#[utoipa::path]`
//! annotations and the body and answer types they name, and the route that serves it.
//! [`super::ROUTES`] lists the same routes: a test checks the two agree, and the API tests
//! validate every answer they receive against its schema here.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::error::ErrorBody;

/// What the document says of the whole API, beside its operations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Chat backend: command-api",
        description = "Commands on chats, messages, participants and the Telegram link, and \
            queries over the read models. A command that produces a SYNC event (chat created, \
            participant added, message sent or received from Telegram) answers 2xx once the \
            read models show it, or 202 when the bounded wait ran out. Every error has the \
            shape {\"error\": {\"code\", \"message\"}}."
    ),
    // The refusal sets name it without collecting it as an operation's types are.
    components(schemas(ErrorBody)),
    modifiers(&BearerToken),
    security(("bearer" = []))
)]
struct ApiInfo;

/// The `bearer` security scheme every operation but the document's own requires.
#[derive(Debug)]
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The OpenAPI document: every route of [`super::ROUTES`] with its parameters, body and
/// answers, and the schemas they name.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiInfo::openapi();
    doc.merge(super::Operations::openapi());
    doc
}

/// The OpenAPI document of this API (this document).
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi",
    security(()),
    responses((status = 200, description = "The OpenAPI document", body = Object))
)]
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::document;

    /// Every `$ref` in `value`, recursively.
    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    found.push(target);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }

    #[test]
    fn every_operation_has_its_own_id() {
        let doc = serde_json::to_value(document()).expect("the document is JSON");
        let mut ids: Vec<&str> = doc["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("a path item").values())
            .map(|op| op["operationId"].as_str().expect("an operation id"))
            .collect();
        let all = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all, "operation ids are unique: {ids:?}");
    }

    #[test]
    fn every_reference_names_a_schema_of_the_document() {
        let doc = serde_json::to_value(document()).expect("the document is JSON");
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        for target in found {
            let pointer = target.strip_prefix('#').expect("a local reference");
            assert!(
                doc.pointer(pointer).is_some(),
                "{target} is in the document"
            );
        }
    }
}
