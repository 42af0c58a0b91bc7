//! The served OpenAPI document is the one generated from the handlers, lists exactly the
//! routes the API registers, and its schemas catch an answer that drifts from them
//! (every answer the API tests receive is checked against it: see [`crate::schema`]).

use std::collections::BTreeSet;

use command_api::http::ROUTES;
use command_api::http::openapi::document;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, User};
use crate::schema::{template_of, validate};

#[tokio::test]
async fn the_openapi_document_matches_the_routes() {
    let app = TestApp::spawn().await;
    let response = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.expect("OpenAPI is JSON");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    assert_eq!(
        doc,
        serde_json::to_value(document()).expect("JSON"),
        "served as generated"
    );

    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("path item")
                .keys()
                .filter(|k| ["get", "post", "patch", "put", "delete"].contains(&k.as_str()))
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let registered: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
        .collect();
    assert_eq!(documented, registered);

    // Every documented operation exists: without a token it is refused, not unknown.
    for (method, path) in &registered {
        if path == "/api/openapi.json" {
            continue;
        }
        let concrete = path
            .replace("{id}", &uuid::Uuid::now_v7().to_string())
            .replace("{mid}", &uuid::Uuid::now_v7().to_string())
            .replace("{uid}", &uuid::Uuid::now_v7().to_string());
        assert_eq!(template_of(&concrete), Some(path.as_str()), "{concrete}");
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let response = app.call(method.clone(), &concrete, None, None).await;
        assert_eq!(response.status(), 401, "{method} {path}");
    }
}

#[tokio::test]
async fn the_schemas_catch_a_chat_list_answer_that_drifts_from_them() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    assert_eq!(app.send(&alice, chat, "hello").await.status(), 201);
    // `get_json` checked the real answer against the document already.
    let answer = app.get_json(&alice, "/api/chats").await;
    let list = |body: &Value| validate("GET", "/api/chats", 200, body);
    assert_eq!(list(&answer), Ok(()));

    let mut missing = answer.clone();
    let item = missing["chats"][0].as_object_mut().expect("a chat");
    assert!(item.remove("unread_count").is_some());
    let failure = list(&missing).expect_err("an item without its unread count");
    assert!(failure.contains("unread_count"), "{failure}");

    let mut mistyped = answer.clone();
    mistyped["chats"][0]["participant_count"] = json!("one");
    let failure = list(&mistyped).expect_err("a count that is a string");
    assert!(failure.contains("/chats/0/participant_count"), "{failure}");

    let mut undocumented = answer;
    assert_eq!(validate("GET", "/api/chats", 200, &undocumented), Ok(()));
    undocumented["chats"] = json!("none");
    assert!(list(&undocumented).is_err(), "chats that are not a list");
    let failure = validate("GET", "/api/chats", 418, &Value::Null).expect_err("a teapot");
    assert!(failure.contains("does not document 418"), "{failure}");
}
