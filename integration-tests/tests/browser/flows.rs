//! What a user does in the web client, shared by the browser tests: the system with
//! the client served, signing in, making and opening a group chat.

use chat_test_kit::system::{SERVICES, System};
use serde_json::json;

use crate::page::Page;

/// The message texts of the open chat, oldest first.
pub const MESSAGES: &str = "#messages .msg .content";

/// The system with command-api serving the web client and minting demo tokens.
pub async fn start_system() -> System {
    let mut system = System::stores().await;
    let web_dir = format!("{}/../deploy/local/web", env!("CARGO_MANIFEST_DIR"));
    for service in SERVICES {
        if service == "command-api" {
            let wse_url = system.ws("wse-gateway");
            let dev = [
                ("DEV_WEB_DIR", web_dir.as_str()),
                ("DEV_TOKEN_ISSUER", "1"),
                ("DEV_WSE_URL", wse_url.as_str()),
            ];
            system.start_instance(service, service, &dev).await;
        } else {
            system.start_instance(service, service, &[]).await;
        }
    }
    system
}

/// Opens the client and signs in as the demo user `name`; returns once the socket is live.
pub async fn sign_in(page: &Page, system: &System, name: &str) {
    page.goto(&format!("{}/app/", system.api())).await;
    page.click(&format!("#demo-users button[data-user='{name}']"))
        .await;
    page.wait_text("#me", name).await;
    wait_live(page).await;
}

pub async fn wait_live(page: &Page) {
    page.wait_text("#status", "live").await;
}

/// Creates a group chat with the demo users `members` and opens it; returns its id.
pub async fn create_group(page: &Page, name: &str, members: &[&str]) -> String {
    page.type_into("#new-chat-name", name).await;
    for member in members {
        page.click(&format!("#new-chat-members input[data-name='{member}']"))
            .await;
    }
    page.click("#new-chat-create").await;
    page.wait_text("#chat-title", name).await;
    open_chat_id(page).await
}

pub async fn open_chat_id(page: &Page) -> String {
    let id = page
        .wait_js(
            "a chat is open",
            "return document.querySelector('#chats li.open')?.dataset.chatId",
            vec![],
        )
        .await;
    id.as_str().expect("chat id").to_owned()
}

/// Opens `chat` from the list once it is there (it arrives without a reload).
pub async fn open_chat(page: &Page, chat: &str, title: &str) {
    page.click(&format!("#chats li[data-chat-id='{chat}']"))
        .await;
    page.wait_text("#chat-title", title).await;
}

pub async fn assert_no_errors(pages: &[&Page]) {
    for page in pages {
        assert_eq!(page.errors().await, json!([]), "errors the page reported");
    }
}
