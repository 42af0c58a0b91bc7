//! The served OpenAPI document lists exactly the routes the API registers.

use std::collections::BTreeSet;

use command_api::http::ROUTES;
use reqwest::Method;
use serde_json::Value;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_openapi_document_matches_the_routes() {
    let app = TestApp::spawn().await;
    let response = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.expect("OpenAPI is JSON");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));

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
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let response = app.call(method.clone(), &concrete, None, None).await;
        assert_eq!(response.status(), 401, "{method} {path}");
    }
}
