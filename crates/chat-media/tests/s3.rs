//! [`S3MediaStore`] against a real S3 server: the local SeaweedFS that
//! `deploy/local/infra.sh up` starts, found through the `S3_*` variables
//! (`source deploy/local/env.sh`; `make test` does). Each test works under its own
//! `test/<uuid>/` prefix, so runs never see each other's objects.

use std::time::Duration;

use bytes::Bytes;
use chat_media::{MediaError, MediaStore, S3Config, S3MediaStore};
use reqwest::StatusCode;
use uuid::Uuid;

fn store() -> S3MediaStore {
    S3MediaStore::from_env().expect("the S3_* settings (source deploy/local/env.sh)")
}

/// A fresh prefix of this test's own.
fn prefix() -> String {
    format!("test/{}/", Uuid::new_v4())
}

/// `len` bytes that are not all alike, so a shifted or truncated copy differs.
fn bytes(len: usize) -> Bytes {
    (0..len)
        .map(|i| u8::try_from(i % 251).expect("below 256"))
        .collect()
}

#[tokio::test]
async fn objects_are_put_headed_got_and_deleted() {
    let (store, key) = (store(), format!("{}a.png", prefix()));
    assert_eq!(store.head(&key).await.unwrap(), None);
    assert!(matches!(
        store.get(&key).await,
        Err(MediaError::NotFound { key: k }) if k == key
    ));

    let data = bytes(300_000);
    store.put(&key, data.clone(), "image/png").await.unwrap();
    assert_eq!(store.head(&key).await.unwrap(), Some(300_000));
    assert_eq!(store.get(&key).await.unwrap(), data);

    store.delete(&key).await.unwrap();
    store.delete(&key).await.unwrap(); // absent: still fine
    assert_eq!(store.head(&key).await.unwrap(), None);
}

#[tokio::test]
async fn a_prefix_takes_only_the_objects_under_it() {
    let (store, root) = (store(), prefix());
    for key in [
        "chats/a/1",
        "chats/a/2",
        "chats/a/x/3",
        "chats/ab/1",
        "chats/b/1",
    ] {
        store
            .put(
                &format!("{root}{key}"),
                Bytes::from_static(b"x"),
                "image/png",
            )
            .await
            .unwrap();
    }
    let chat_a = format!("{root}chats/a/");
    assert_eq!(store.delete_prefix(&chat_a).await.unwrap(), 3);
    assert_eq!(store.delete_prefix(&chat_a).await.unwrap(), 0);
    for (key, left) in [
        ("chats/a/1", false),
        ("chats/ab/1", true),
        ("chats/b/1", true),
    ] {
        let size = store.head(&format!("{root}{key}")).await.unwrap();
        assert_eq!(size.is_some(), left, "{key}");
    }
    // A prefix need not end at a `/`: `chats/a` also takes `chats/ab/1`.
    let loose = format!("{root}chats/a");
    assert_eq!(store.delete_prefix(&loose).await.unwrap(), 1);
    assert_eq!(store.delete_prefix(&root).await.unwrap(), 1);
}

#[tokio::test]
async fn a_presigned_put_stores_what_a_presigned_get_returns() {
    let (store, key) = (store(), format!("{}voice.ogg", prefix()));
    let data = bytes(1_000_000);
    let ttl = Duration::from_secs(60);
    let http = reqwest::Client::new();

    let put = store
        .presign_put(&key, "audio/ogg", 1_000_000, ttl)
        .await
        .unwrap();
    let answer = http
        .put(&put)
        .header("content-type", "audio/ogg")
        .body(data.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status(),
        StatusCode::OK,
        "{}",
        answer.text().await.unwrap()
    );
    assert_eq!(store.head(&key).await.unwrap(), Some(1_000_000));

    let get = store.presign_get(&key, "Голос 1.ogg", ttl).await.unwrap();
    let answer = http.get(&get).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "audio/ogg");
    assert_eq!(
        answer.headers()["content-disposition"],
        "attachment; filename=\"_____ 1.ogg\"; filename*=UTF-8''%D0%93%D0%BE%D0%BB%D0%BE%D1%81%201%2Eogg"
    );
    assert_eq!(answer.bytes().await.unwrap(), data);
    store.delete(&key).await.unwrap();
}

#[tokio::test]
async fn a_presigned_put_of_another_type_is_refused() {
    let (store, key) = (store(), format!("{}a.jpg", prefix()));
    let put = store
        .presign_put(&key, "image/jpeg", 1_000, Duration::from_secs(60))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    for mime in [Some("text/html"), None] {
        let mut request = http.put(&put).body(bytes(1_000));
        if let Some(mime) = mime {
            request = request.header("content-type", mime);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{mime:?}");
    }
    assert_eq!(store.head(&key).await.unwrap(), None);
}

#[tokio::test]
async fn an_expired_url_is_refused_by_the_store() {
    let (store, key) = (store(), format!("{}late.pdf", prefix()));
    let ttl = Duration::from_secs(1);
    let put = store
        .presign_put(&key, "application/pdf", 3, ttl)
        .await
        .unwrap();
    store
        .put(&key, Bytes::from_static(b"pdf"), "application/pdf")
        .await
        .unwrap();
    let get = store.presign_get(&key, "late.pdf", ttl).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2_500)).await;

    let http = reqwest::Client::new();
    let answer = http
        .put(&put)
        .header("content-type", "application/pdf")
        .body("new")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        http.get(&get).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(store.get(&key).await.unwrap(), "pdf");
    store.delete(&key).await.unwrap();
}

#[tokio::test]
async fn a_store_that_does_not_answer_is_unavailable() {
    let mut config = S3Config::from_env().unwrap();
    // A port nothing listens on: taken from the OS, then let go.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    config.s3_endpoint = Some(format!("http://{}", closed.local_addr().unwrap()));
    drop(closed);
    let store = S3MediaStore::new(&config).unwrap();

    let began = std::time::Instant::now();
    assert!(store.head("chats/a/1").await.unwrap_err().is_unavailable());
    let put = store.put("chats/a/1", Bytes::from_static(b"x"), "image/png");
    assert!(put.await.unwrap_err().is_unavailable());
    assert!(store.get("chats/a/1").await.unwrap_err().is_unavailable());
    assert!(
        store
            .delete_prefix("chats/a/")
            .await
            .unwrap_err()
            .is_unavailable()
    );
    assert!(
        began.elapsed() < Duration::from_secs(20),
        "{:?}",
        began.elapsed()
    );
    // Signing needs no round trip: URLs are still made (and fail when used).
    let url = store.presign_get("chats/a/1", "a.png", Duration::from_secs(60));
    assert!(url.await.is_ok());
}

#[tokio::test]
async fn wrong_credentials_are_refused_not_unavailable() {
    let mut config = S3Config::from_env().unwrap();
    config.s3_secret_access_key = Some("not-the-secret".into());
    let error = S3MediaStore::new(&config)
        .unwrap()
        .head("chats/a/1")
        .await
        .unwrap_err();
    assert!(matches!(error, MediaError::Refused(_)), "{error:?}");
}
