//! Every JSON answer the API tests receive, checked against its schema in the OpenAPI
//! document command-api serves (generated from its handlers and types): [`TestApp`]
//! passes each answer through [`check`], so an answer that drifts from the document fails
//! the test that received it.
//!
//! [`TestApp`]: crate::helpers::TestApp

use std::sync::LazyLock;

use command_api::http::openapi::document;
use serde_json::{Value, json};

/// The document, as JSON.
static DOCUMENT: LazyLock<Value> =
    LazyLock::new(|| serde_json::to_value(document()).expect("the OpenAPI document is JSON"));

/// The documented path `path` is an instance of (`/api/chats/{id}` for
/// `/api/chats/0190…`); where two match, the one with more literal segments
/// (`/api/chats/unread` over `/api/chats/{id}`). `None` off the document (`/healthz`,
/// the development routes).
pub fn template_of(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    DOCUMENT["paths"]
        .as_object()?
        .keys()
        .filter_map(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            let fits = parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(part, segment)| part.starts_with('{') || part == segment);
            fits.then(|| {
                (
                    parts.iter().filter(|p| !p.starts_with('{')).count(),
                    template,
                )
            })
        })
        .max_by_key(|(literals, _)| *literals)
        .map(|(_, template)| template.as_str())
}

/// Whether `body` is what the document says `method template` answers with `status`.
///
/// # Errors
/// Each way it is not: an undocumented status, a body where none is documented, or
/// every schema violation, with where in the body it is.
pub fn validate(method: &str, template: &str, status: u16, body: &Value) -> Result<(), String> {
    let operation = &DOCUMENT["paths"][template][method.to_lowercase()];
    let response = &operation["responses"][status.to_string()];
    if response.is_null() {
        return Err(format!("{method} {template} does not document {status}"));
    }
    let Some(schema) = response["content"]["application/json"].get("schema") else {
        return match body {
            Value::Null => Ok(()),
            _ => Err(format!("{method} {template} {status} documents no body")),
        };
    };
    // The schema with the document's components beside it, so `#/components/...`
    // references resolve.
    let mut rooted = json!({ "components": DOCUMENT["components"] });
    rooted["$ref"] = json!("#/$defs/answer");
    rooted["$defs"] = json!({ "answer": schema });
    let validator = jsonschema::draft202012::new(&rooted).expect("the schema compiles");
    let failures: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{e} (at `{}`)", e.instance_path()))
        .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{method} {template} {status}: {}",
            failures.join("; ")
        ))
    }
}

/// Checks an answer the tests received for `method path`: panics when the path is a
/// documented operation and the answer is not as documented. An empty body is checked
/// as none; a body that is not JSON fails where JSON is documented.
pub fn check(method: &str, path: &str, status: u16, body: &[u8]) {
    let Some(template) = template_of(path) else {
        return;
    };
    if DOCUMENT["paths"][template][method.to_lowercase()].is_null() {
        return;
    }
    let body = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(body) {
            Ok(json) => json,
            Err(e) => panic!("{method} {path} {status}: the answer is not JSON ({e})"),
        }
    };
    if let Err(failure) = validate(method, template, status, &body) {
        panic!("the answer breaks the OpenAPI document: {failure}\nanswer: {body}");
    }
}
