//! The web chat client of `make run` (deploy/local/web/) in headless Chromium, against
//! the whole system as real processes (`System`), with command-api's development
//! helpers on (the client under `/app/`, demo sign-in): two users in two browsers chat
//! live, and a page whose socket drops, or whose gateway dies, shows every message once
//! after it reconnects. Screenshots land in `.local/screenshots/`.

#[path = "browser/flows.rs"]
mod flows;
#[path = "browser/page.rs"]
mod page;

use serde_json::json;

use crate::flows::{
    MESSAGES, assert_no_errors, create_group, open_chat, open_chat_id, sign_in, start_system,
    wait_live,
};
use crate::page::{Driver, Page};

/// Creates the direct chat with `peer` and opens it; returns its id.
async fn create_direct(page: &Page, peer: &str) -> String {
    page.js(
        "document.getElementById('new-chat-type').value = 'direct'",
        vec![],
    )
    .await;
    page.click(&format!("#new-chat-members input[data-name='{peer}']"))
        .await;
    page.click("#new-chat-create").await;
    page.wait_text("#chat-title", peer).await;
    open_chat_id(page).await
}

/// Types and sends `text` in the open chat; returns once the page shows it.
async fn send(page: &Page, text: &str) {
    page.type_into("#composer-text", text).await;
    page.click("#send").await;
    page.wait_js(
        "the sent message shows",
        "return [...document.querySelectorAll(arguments[0])].some(e => e.textContent === arguments[1])",
        vec![json!(MESSAGES), json!(text)],
    )
    .await;
}

/// The unread badge of `chat` in the page's list.
async fn unread(page: &Page, chat: &str) -> String {
    let value = page
        .js(
            "return document.querySelector(`#chats li[data-chat-id='${arguments[0]}']`)?.dataset.unread ?? ''",
            vec![json!(chat)],
        )
        .await;
    value.as_str().unwrap_or_default().to_owned()
}

async fn wait_unread(page: &Page, chat: &str, count: u32) {
    page.wait_js(
        &format!("chat {chat} shows {count} unread"),
        "return document.querySelector(`#chats li[data-chat-id='${arguments[0]}']`)?.dataset.unread === arguments[1]",
        vec![json!(chat), json!(count.to_string())],
    )
    .await;
}

/// How many `resync` frames the page got (among its last 50 frames).
async fn resyncs(page: &Page) -> u64 {
    let count = page
        .js(
            "return chatApp.recent.filter(f => f.startsWith('resync ')).length",
            vec![],
        )
        .await;
    count.as_u64().expect("a count")
}

#[tokio::test]
async fn two_users_chat_live_in_two_pages() {
    let system = start_system().await;
    let driver = Driver::start().await;
    let alice = driver.page("alice").await;
    let bob = driver.page("bob").await;
    sign_in(&alice, &system, "Alice").await;
    sign_in(&bob, &system, "Bob").await;

    // Alice makes a group with Bob: it appears in Bob's list without a reload.
    let group = create_group(&alice, "Launch", &["Bob"]).await;
    open_chat(&bob, &group, "Launch").await;
    bob.wait_text("#chat-members", "Alice (admin), Bob").await;

    // Typing shows on the other side, then the messages themselves.
    bob.type_into("#composer-text", "Hi").await;
    alice.wait_text("#typing", "Bob is typing…").await;
    send(&alice, "Hello Bob").await;
    bob.wait_texts(MESSAGES, &["Hello Bob"]).await;
    bob.type_into("#composer-text", " Alice!").await;
    bob.click("#send").await;
    alice
        .wait_texts(MESSAGES, &["Hello Bob", "Hi Alice!"])
        .await;
    bob.wait_texts(MESSAGES, &["Hello Bob", "Hi Alice!"]).await;

    // An edit and a delete travel too.
    alice.click(".msg.mine .edit").await;
    alice.clear("#composer-text").await;
    alice
        .type_into("#composer-text", "Hello Bob, welcome")
        .await;
    alice.click("#send").await;
    bob.wait_texts(MESSAGES, &["Hello Bob, welcome", "Hi Alice!"])
        .await;
    bob.click(".msg.mine .delete").await;
    alice
        .wait_texts(MESSAGES, &["Hello Bob, welcome", "message deleted"])
        .await;

    // A direct message while Bob looks at the group: an unread badge, gone once read.
    let direct = create_direct(&alice, "Bob").await;
    send(&alice, "psst, lunch?").await;
    wait_unread(&bob, &direct, 1).await;
    assert_eq!(unread(&bob, &group).await, "0");
    let shot = bob.screenshot("browser-bob-unread.png").await;
    open_chat(&bob, &direct, "Alice").await;
    bob.wait_texts(MESSAGES, &["psst, lunch?"]).await;
    wait_unread(&bob, &direct, 0).await;
    send(&bob, "sure, at noon").await;
    alice
        .wait_texts(MESSAGES, &["psst, lunch?", "sure, at noon"])
        .await;
    wait_unread(&alice, &direct, 0).await;

    alice.screenshot("browser-alice.png").await;
    bob.screenshot("browser-bob.png").await;
    println!("screenshots in {}", shot.parent().expect("dir").display());
    assert_no_errors(&[&alice, &bob]).await;
    alice.close().await;
    bob.close().await;
}

#[tokio::test]
async fn a_dropped_socket_resumes_with_every_message_once() {
    let mut system = start_system().await;
    let driver = Driver::start().await;
    let alice = driver.page("alice-resume").await;
    let bob = driver.page("bob-resume").await;
    sign_in(&alice, &system, "Alice").await;
    sign_in(&bob, &system, "Bob").await;
    let group = create_group(&alice, "Outage", &["Bob"]).await;
    open_chat(&bob, &group, "Outage").await;
    send(&alice, "before the drop").await;
    bob.wait_texts(MESSAGES, &["before the drop"]).await;

    // Bob's socket closes mid-conversation and stays away while Alice writes on; when
    // it reconnects it resumes from the last version it saw: each message once, in order.
    bob.js("chatApp.goOffline()", vec![]).await;
    bob.wait_text("#status", "offline").await;
    for text in ["while away 1", "while away 2", "while away 3"] {
        send(&alice, text).await;
    }
    assert_eq!(bob.texts(MESSAGES).await, ["before the drop"]);
    bob.js("chatApp.goOnline()", vec![]).await;
    let resumed = [
        "before the drop",
        "while away 1",
        "while away 2",
        "while away 3",
    ];
    bob.wait_texts(MESSAGES, &resumed).await;
    wait_live(&bob).await;
    assert_eq!(bob.js("return chatApp.connects()", vec![]).await, json!(2));
    assert_eq!(
        resyncs(&bob).await,
        0,
        "the gateway replayed what was missed"
    );
    send(&alice, "back again").await;
    let mut all = resumed.to_vec();
    all.push("back again");
    bob.wait_texts(MESSAGES, &all).await;

    // The gateway itself dies (its replay memory with it): the pages reconnect once it
    // is back, are told to resync, and refetch over REST, still without duplicates.
    system.kill("wse-gateway").await;
    bob.wait_text("#status", "reconnecting").await;
    send(&alice, "while the gateway is down").await;
    system.restart("wse-gateway").await;
    all.push("while the gateway is down");
    bob.wait_texts(MESSAGES, &all).await;
    assert!(
        resyncs(&bob).await > 0,
        "a fresh gateway has nothing to replay"
    );
    wait_live(&bob).await;
    wait_live(&alice).await;
    send(&alice, "after the restart").await;
    all.push("after the restart");
    bob.wait_texts(MESSAGES, &all).await;
    alice.wait_texts(MESSAGES, &all).await;
    // Bob looks at the chat: what arrives is read.
    wait_unread(&bob, &group, 0).await;

    bob.screenshot("browser-bob-after-reconnect.png").await;
    assert_no_errors(&[&alice, &bob]).await;
    alice.close().await;
    bob.close().await;
}

/// Scrolls the open chat to its top, as a user reaching for older messages does.
async fn scroll_to_top(page: &Page) {
    page.js("document.getElementById('messages').scrollTop = 0", vec![])
        .await;
}

#[tokio::test]
async fn history_scrolls_back_page_by_page_and_members_can_be_added() {
    let system = start_system().await;
    let driver = Driver::start().await;
    let alice = driver.page("alice-history").await;
    sign_in(&alice, &system, "Alice").await;
    let chat = create_group(&alice, "History", &[]).await;

    // 75 messages through the API (the client pages history 30 at a time).
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let session: serde_json::Value = http
        .post(format!("{}/dev/token", system.api()))
        .json(&json!({"user": "Alice"}))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let token = session["token"].as_str().expect("token");
    let all: Vec<String> = (1..=75).map(|i| format!("message {i}")).collect();
    for text in &all {
        let sent = http
            .post(format!("{}/api/chats/{chat}/messages", system.api()))
            .bearer_auth(token)
            .json(&json!({ "content": text }))
            .send()
            .await
            .expect("sent");
        assert_eq!(sent.status(), 201);
    }
    let expected: Vec<&str> = all.iter().map(String::as_str).collect();
    alice.wait_texts(MESSAGES, &expected).await;

    // Alice adds Carol from the chat's header; Carol finds the chat and its history.
    alice
        .js(
            "document.getElementById('add-member-user').value = arguments[0]",
            vec![json!("ca201000-0000-4000-8000-00000000000c")],
        )
        .await;
    alice.click("#add-member button").await;
    alice
        .wait_text("#chat-members", "Alice (admin), Carol")
        .await;
    let carol = driver.page("carol-history").await;
    sign_in(&carol, &system, "Carol").await;
    open_chat(&carol, &chat, "History").await;
    carol.wait_texts(MESSAGES, &expected[45..]).await;
    carol
        .wait_text("#messages .more", "Scroll up for older messages")
        .await;
    scroll_to_top(&carol).await;
    carol.wait_texts(MESSAGES, &expected[15..]).await;
    scroll_to_top(&carol).await;
    carol.wait_texts(MESSAGES, &expected).await;
    carol
        .wait_text("#messages .more", "The start of the conversation")
        .await;

    carol.screenshot("browser-carol-history.png").await;
    assert_no_errors(&[&alice, &carol]).await;
    alice.close().await;
    carol.close().await;
}

#[tokio::test]
async fn the_unread_total_shows_and_a_search_hit_opens_its_chat() {
    let system = start_system().await;
    let driver = Driver::start().await;
    let alice = driver.page("alice-search").await;
    let bob = driver.page("bob-search").await;
    sign_in(&alice, &system, "Alice").await;
    sign_in(&bob, &system, "Bob").await;

    let group = create_group(&alice, "Atlas", &["Bob"]).await;
    send(&alice, "the <quarterly> zeppelin report").await;
    wait_unread(&bob, &group, 1).await;
    bob.wait_text("#unread-total", "1").await;

    // The index follows the send shortly: search until the hit shows, marked.
    let marked = bob
        .wait_js(
            "a search hit",
            "const hit = document.querySelector('#search-results li[data-message-id] mark');\
             if (hit) return hit.textContent;\
             document.querySelector('#search-text').value = 'zeppelin';\
             document.querySelector('#search').requestSubmit();\
             return null;",
            vec![],
        )
        .await;
    assert_eq!(marked, json!("zeppelin"));
    let snippet = bob.texts("#search-results li .preview").await;
    assert_eq!(
        snippet,
        ["the <quarterly> zeppelin report"],
        "escaped text shows as text"
    );
    bob.click("#search-results li[data-message-id]").await;
    bob.wait_text("#chat-title", "Atlas").await;
    bob.wait_texts(MESSAGES, &["the <quarterly> zeppelin report"])
        .await;
    // Read: the badge goes.
    bob.wait_js(
        "the total badge hides",
        "return document.querySelector('#unread-total').hidden",
        vec![],
    )
    .await;
    bob.screenshot("browser-bob-search.png").await;
    assert_no_errors(&[&alice, &bob]).await;
    alice.close().await;
    bob.close().await;
}
