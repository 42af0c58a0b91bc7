//! The fake Telegram's control surface over HTTP, so a bridge process in fake mode can be
//! driven from outside (the end-to-end suite, a local demo) the way people use Telegram:
//! read what a supergroup holds, and post, edit and delete there as a Telegram user.
//! Mounted on the operations port only when `--telegram-mode=fake`.
//!
//! | route | does |
//! |---|---|
//! | `GET /fake-telegram/groups/{chat_id}/messages` | the group's messages, oldest first |
//! | `POST /fake-telegram/groups/{chat_id}/messages` | a user posts `{user_id, user_name, text, reply_to?, topic_id?}`, or instead of the text a `media` without a file (`{type: "sticker", emoji?}`, `{type: "poll", question}`, `{type: "location", latitude, longitude}`, `{type: "contact", name}`, `{type: "other", what}`): 201 `{id}`, or 400 |
//! | `POST /fake-telegram/groups/{chat_id}/files?user_id&user_name&kind&mime_type&file_name?&caption?&duration_secs?&reply_to?&topic_id?` | a user posts the body's bytes as a file of `kind` (`photo`, `document`, `voice`, `video`, `audio`): 201 `{id}`, or 400 |
//! | `GET /fake-telegram/groups/{chat_id}/messages/{id}/file` | the bytes of the file the message carries (its MIME type), or 404 |
//! | `PUT /fake-telegram/groups/{chat_id}/messages/{id}` | the user edits it to `{text}`: 204, 400, or 404 |
//! | `DELETE /fake-telegram/groups/{chat_id}/messages/{id}` | it is deleted: 204, or 404 |
//! | `DELETE /fake-telegram/groups/{chat_id}/bot` | the bot is removed from the group (its calls there answer `NoAccess`): 204 |
//! | `PUT /fake-telegram/groups/{chat_id}/bot` | the bot is added back: 204 |
//! | `DELETE /fake-telegram/authorization` | the bot's authorization is revoked (every call answers `Unauthorized`): 204 |
//! | `PUT /fake-telegram/authorization` | the bot is authorized again: 204 |
//! | `POST /fake-telegram/updates/failures` | the next read of the update stream fails with `{kind: "flood_wait", seconds}`, `{kind: "unavailable"}` or `{kind: "no_access"}`: 204 |
//!
//! A text or caption over Telegram's limit answers 400 with Telegram's error name as the
//! code (`MESSAGE_TOO_LONG`, `MEDIA_CAPTION_TOO_LONG`), as Telegram refuses it; so does a
//! file over Telegram's size limits. Bodies of files are taken up to
//! [`MAX_UPLOAD_BYTES`].

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::fake::{FakeTelegram, UserFile};
use crate::media::{FileKind, TelegramMedia};
use crate::ports::{GatewayError, TelegramTarget};

/// The largest file body the routes take: above the chat's own largest file (50 MB), far
/// below Telegram's, which tests need not reach over HTTP.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1_024 * 1_024;

/// A Telegram user's post.
#[derive(Debug, Deserialize)]
struct Post {
    user_id: i64,
    user_name: String,
    #[serde(default)]
    text: String,
    media: Option<TelegramMedia>,
    reply_to: Option<i64>,
    topic_id: Option<i64>,
}

/// A Telegram user's file post (the bytes are the body).
#[derive(Debug, Deserialize)]
struct FilePost {
    user_id: i64,
    user_name: String,
    kind: FileKind,
    mime_type: String,
    file_name: Option<String>,
    #[serde(default)]
    caption: String,
    duration_secs: Option<u32>,
    reply_to: Option<i64>,
    topic_id: Option<i64>,
}

/// An edit's new text.
#[derive(Debug, Deserialize)]
struct Edit {
    text: String,
}

/// How the next read of the update stream fails.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum UpdateFailure {
    /// Telegram asks to wait this long (as while fetching a difference).
    FloodWait { seconds: u32 },
    /// The connection broke.
    Unavailable,
    /// A channel of the difference is out of reach (`CHANNEL_INVALID`).
    NoAccess,
}

impl From<UpdateFailure> for GatewayError {
    fn from(failure: UpdateFailure) -> Self {
        match failure {
            UpdateFailure::FloodWait { seconds } => Self::FloodWait { seconds },
            UpdateFailure::Unavailable => Self::Unavailable("connection lost".into()),
            UpdateFailure::NoAccess => Self::NoAccess("CHANNEL_INVALID".into()),
        }
    }
}

/// Mounts the routes for `telegram`.
pub fn configure(telegram: FakeTelegram) -> impl Fn(&mut web::ServiceConfig) + Clone + Send {
    move |cfg| {
        cfg.app_data(web::Data::new(telegram.clone()))
            .service(
                web::scope("/fake-telegram/groups/{chat_id}/messages")
                    .route("", web::get().to(list))
                    .route("", web::post().to(post))
                    .route("/{id}", web::put().to(edit))
                    .route("/{id}", web::delete().to(delete))
                    .route("/{id}/file", web::get().to(file)),
            )
            .service(
                web::resource("/fake-telegram/groups/{chat_id}/files")
                    .app_data(web::PayloadConfig::new(MAX_UPLOAD_BYTES))
                    .route(web::post().to(post_file)),
            )
            .service(
                web::resource("/fake-telegram/groups/{chat_id}/bot")
                    .route(web::delete().to(kick))
                    .route(web::put().to(readmit)),
            )
            .service(
                web::resource("/fake-telegram/authorization")
                    .route(web::delete().to(revoke))
                    .route(web::put().to(restore)),
            )
            .route(
                "/fake-telegram/updates/failures",
                web::post().to(fail_update_read),
            );
    }
}

async fn kick(telegram: web::Data<FakeTelegram>, chat_id: web::Path<i64>) -> HttpResponse {
    telegram.kick(*chat_id);
    HttpResponse::NoContent().finish()
}

async fn readmit(telegram: web::Data<FakeTelegram>, chat_id: web::Path<i64>) -> HttpResponse {
    telegram.readmit(*chat_id);
    HttpResponse::NoContent().finish()
}

async fn revoke(telegram: web::Data<FakeTelegram>) -> HttpResponse {
    telegram.revoke_authorization();
    HttpResponse::NoContent().finish()
}

async fn restore(telegram: web::Data<FakeTelegram>) -> HttpResponse {
    telegram.restore_authorization();
    HttpResponse::NoContent().finish()
}

async fn fail_update_read(
    telegram: web::Data<FakeTelegram>,
    body: web::Json<UpdateFailure>,
) -> HttpResponse {
    telegram.fail_update_reads([body.into_inner().into()]);
    HttpResponse::NoContent().finish()
}

async fn list(telegram: web::Data<FakeTelegram>, chat_id: web::Path<i64>) -> HttpResponse {
    HttpResponse::Ok().json(telegram.messages(*chat_id))
}

async fn post(
    telegram: web::Data<FakeTelegram>,
    chat_id: web::Path<i64>,
    body: web::Json<Post>,
) -> HttpResponse {
    let body = body.into_inner();
    let target = TelegramTarget {
        chat_id: *chat_id,
        topic_id: body.topic_id,
    };
    let user = (body.user_id, body.user_name.as_str());
    let posted = match body.media {
        // Stickers, polls, locations and contacts carry no text in Telegram.
        Some(_) if !body.text.is_empty() => {
            return bad_request(
                "MEDIA_WITH_TEXT",
                "a sticker, poll, location or contact carries no text",
            );
        }
        Some(media) => telegram.post_media_as_user(target, user, media),
        None => telegram.post_as_user(target, user, &body.text, body.reply_to),
    };
    created(posted)
}

async fn post_file(
    telegram: web::Data<FakeTelegram>,
    chat_id: web::Path<i64>,
    query: web::Query<FilePost>,
    bytes: web::Bytes,
) -> HttpResponse {
    let query = query.into_inner();
    let target = TelegramTarget {
        chat_id: *chat_id,
        topic_id: query.topic_id,
    };
    let mut file = UserFile::new(query.kind, &query.mime_type, bytes.to_vec());
    file.name = query.file_name;
    file.duration_secs = query.duration_secs;
    let user = (query.user_id, query.user_name.as_str());
    let posted = telegram.post_file_as_user(target, user, file, &query.caption, query.reply_to);
    created(posted)
}

/// 201 with the new message's id, or 400 with what Telegram would have refused.
fn created(posted: Result<i64, GatewayError>) -> HttpResponse {
    match posted {
        Ok(id) => HttpResponse::Created().json(json!({ "id": id })),
        Err(refused) => {
            let message = refused.to_string();
            match refused {
                GatewayError::TooLong(limit) => bad_request(limit.rpc_error(), &message),
                GatewayError::Rejected(name) => bad_request(&name, &message),
                _ => bad_request("REFUSED", &message),
            }
        }
    }
}

async fn file(telegram: web::Data<FakeTelegram>, path: web::Path<(i64, i64)>) -> HttpResponse {
    let (chat_id, id) = *path;
    let mime_type = telegram
        .messages(chat_id)
        .into_iter()
        .find(|m| m.id == id)
        .and_then(|m| m.media?.file().map(|f| f.mime_type.clone()));
    match (telegram.file(chat_id, id), mime_type) {
        (Some(bytes), Some(mime_type)) => HttpResponse::Ok().content_type(mime_type).body(bytes),
        _ => no_such_message(chat_id, id),
    }
}

async fn edit(
    telegram: web::Data<FakeTelegram>,
    path: web::Path<(i64, i64)>,
    body: web::Json<Edit>,
) -> HttpResponse {
    let (chat_id, id) = *path;
    match telegram.edit_as_user(chat_id, id, &body.text) {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(refused) => refusal(&refused, chat_id, id),
    }
}

async fn delete(telegram: web::Data<FakeTelegram>, path: web::Path<(i64, i64)>) -> HttpResponse {
    let (chat_id, id) = *path;
    found(telegram.delete_as_user(chat_id, id), chat_id, id)
}

fn found(done: bool, chat_id: i64, id: i64) -> HttpResponse {
    if done {
        HttpResponse::NoContent().finish()
    } else {
        no_such_message(chat_id, id)
    }
}

fn no_such_message(chat_id: i64, id: i64) -> HttpResponse {
    HttpResponse::NotFound().json(json!({
        "error": {
            "code": "no_such_message",
            "message": format!("supergroup {chat_id} holds no message {id}"),
        }
    }))
}

/// What the fake refusing a user's edit answers.
fn refusal(refused: &GatewayError, chat_id: i64, id: i64) -> HttpResponse {
    match refused {
        GatewayError::TooLong(limit) => bad_request(limit.rpc_error(), &refused.to_string()),
        _ => no_such_message(chat_id, id),
    }
}

/// 400 with Telegram's error name as the code.
fn bad_request(code: &str, message: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": { "code": code, "message": message } }))
}

#[cfg(test)]
mod tests {
    use actix_web::{App, test};
    use serde_json::Value;

    use super::*;

    #[actix_web::test]
    async fn users_post_edit_and_delete_and_unknown_messages_are_404() {
        let telegram = FakeTelegram::new();
        let app = test::init_service(App::new().configure(configure(telegram.clone()))).await;
        let path = "/fake-telegram/groups/-100/messages";

        let posted = test::TestRequest::post()
            .uri(path)
            .set_json(json!({ "user_id": 1, "user_name": "Tom", "text": "hi" }))
            .send_request(&app)
            .await;
        assert_eq!(posted.status(), 201);
        let id = test::read_body_json::<Value, _>(posted).await["id"].clone();
        let edited = test::TestRequest::put()
            .uri(&format!("{path}/{id}"))
            .set_json(json!({ "text": "hi, edited" }))
            .send_request(&app)
            .await;
        assert_eq!(edited.status(), 204);
        let listed: Value =
            test::call_and_read_body_json(&app, test::TestRequest::get().uri(path).to_request())
                .await;
        assert_eq!(listed[0]["text"], "hi, edited");
        assert_eq!(listed[0]["sender_name"], "Tom");
        assert_eq!(listed[0]["outgoing"], false);

        let deleted = test::TestRequest::delete()
            .uri(&format!("{path}/{id}"))
            .send_request(&app)
            .await;
        assert_eq!(deleted.status(), 204);
        assert!(telegram.messages(-100).is_empty());
        let again = test::TestRequest::delete()
            .uri(&format!("{path}/{id}"))
            .send_request(&app)
            .await;
        assert_eq!(again.status(), 404);
        let body: Value = test::read_body_json(again).await;
        assert_eq!(body["error"]["code"], "no_such_message");
    }

    #[actix_web::test]
    async fn the_bot_is_kicked_and_signed_out_and_update_reads_fail_on_demand() {
        use crate::ports::TelegramGateway;

        let telegram = FakeTelegram::new();
        let bridge = telegram.connect();
        let app = test::init_service(App::new().configure(configure(telegram.clone()))).await;
        let target = TelegramTarget {
            chat_id: -100,
            topic_id: None,
        };
        let call = |request: test::TestRequest| {
            let app = &app;
            async move { request.send_request(app).await.status() }
        };

        let bot = "/fake-telegram/groups/-100/bot";
        assert_eq!(call(test::TestRequest::delete().uri(bot)).await, 204);
        assert_eq!(
            bridge.send_message(target, "hi", None, 1).await,
            Err(GatewayError::NoAccess("CHANNEL_PRIVATE".into()))
        );
        assert_eq!(call(test::TestRequest::put().uri(bot)).await, 204);
        assert!(bridge.send_message(target, "hi", None, 1).await.is_ok());

        let auth = "/fake-telegram/authorization";
        assert_eq!(call(test::TestRequest::delete().uri(auth)).await, 204);
        assert!(matches!(
            bridge.send_message(target, "again", None, 2).await,
            Err(GatewayError::Unauthorized(_))
        ));
        assert_eq!(call(test::TestRequest::put().uri(auth)).await, 204);

        let failure = test::TestRequest::post()
            .uri("/fake-telegram/updates/failures")
            .set_json(json!({ "kind": "flood_wait", "seconds": 90 }));
        assert_eq!(call(failure).await, 204);
        assert_eq!(
            bridge.next_update().await,
            Err(GatewayError::FloodWait { seconds: 90 })
        );
        assert!(bridge.next_update().await.is_ok(), "then the updates");
    }

    #[actix_web::test]
    async fn users_post_files_and_other_media_and_files_are_read_back() {
        let telegram = FakeTelegram::new();
        let app = test::init_service(App::new().configure(configure(telegram.clone()))).await;

        let posted = test::TestRequest::post()
            .uri(
                "/fake-telegram/groups/-100/files?user_id=1&user_name=Tom&kind=document\
                 &mime_type=application/pdf&file_name=report.pdf&caption=the%20report",
            )
            .set_payload(&b"%PDF-1.7"[..])
            .send_request(&app)
            .await;
        assert_eq!(posted.status(), 201);
        let id = test::read_body_json::<Value, _>(posted).await["id"].clone();
        let sticker = test::TestRequest::post()
            .uri("/fake-telegram/groups/-100/messages")
            .set_json(json!({
                "user_id": 1, "user_name": "Tom", "media": { "type": "sticker", "emoji": "😀" }
            }))
            .send_request(&app)
            .await;
        assert_eq!(sticker.status(), 201);

        let listed: Value = test::call_and_read_body_json(
            &app,
            test::TestRequest::get()
                .uri("/fake-telegram/groups/-100/messages")
                .to_request(),
        )
        .await;
        assert_eq!(listed[0]["text"], "the report");
        assert_eq!(listed[0]["media"]["type"], "file");
        assert_eq!(listed[0]["media"]["kind"], "document");
        assert_eq!(
            listed[1]["media"],
            json!({ "type": "sticker", "emoji": "😀" })
        );
        let file = test::TestRequest::get()
            .uri(&format!("/fake-telegram/groups/-100/messages/{id}/file"))
            .send_request(&app)
            .await;
        assert_eq!(file.status(), 200);
        assert_eq!(
            file.headers().get("content-type").map(|v| v.as_bytes()),
            Some(&b"application/pdf"[..])
        );
        assert_eq!(test::read_body(file).await, &b"%PDF-1.7"[..]);
    }

    #[actix_web::test]
    async fn a_caption_over_telegrams_limit_is_400_media_caption_too_long() {
        let telegram = FakeTelegram::new();
        let app = test::init_service(App::new().configure(configure(telegram.clone()))).await;
        let caption = "x".repeat(1_025);

        let refused = test::TestRequest::post()
            .uri(&format!(
                "/fake-telegram/groups/-100/files?user_id=1&user_name=Tom&kind=photo\
                 &mime_type=image/jpeg&caption={caption}"
            ))
            .set_payload(&b"jpeg"[..])
            .send_request(&app)
            .await;
        assert_eq!(refused.status(), 400);
        let body: Value = test::read_body_json(refused).await;
        assert_eq!(body["error"]["code"], "MEDIA_CAPTION_TOO_LONG");
        assert!(telegram.messages(-100).is_empty());
    }

    #[actix_web::test]
    async fn a_text_over_telegrams_limit_is_400_message_too_long() {
        let telegram = FakeTelegram::new();
        let app = test::init_service(App::new().configure(configure(telegram.clone()))).await;
        let path = "/fake-telegram/groups/-100/messages";
        let long = "x".repeat(4_097);

        let refused = test::TestRequest::post()
            .uri(path)
            .set_json(json!({ "user_id": 1, "user_name": "Tom", "text": long }))
            .send_request(&app)
            .await;
        assert_eq!(refused.status(), 400);
        let body: Value = test::read_body_json(refused).await;
        assert_eq!(body["error"]["code"], "MESSAGE_TOO_LONG");
        assert!(telegram.messages(-100).is_empty());
    }
}
