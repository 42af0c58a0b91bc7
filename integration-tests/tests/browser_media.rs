//! Media in the web client (deploy/local/web/) in headless Chromium, against the whole
//! system as real processes and the real object store: Alice attaches an image, her page
//! uploads it through the pre-signed URL and sends it, and Bob's page renders it inline.
//! The screenshot lands in `.local/screenshots/browser-bob-image.png`.

#[path = "browser/flows.rs"]
mod flows;
// The page driver is shared with tests/browser.rs, which uses all of it.
#[allow(dead_code)]
#[path = "browser/page.rs"]
mod page;

use chat_test_kit::required_env;

use crate::flows::{MESSAGES, assert_no_errors, create_group, open_chat, sign_in, start_system};
use crate::page::Driver;

/// Puts a 64x48 red PNG, drawn on a canvas, in the composer's file input (as choosing
/// a file in the dialog would).
const ATTACH_PNG: &str = "
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const g = canvas.getContext('2d');
    g.fillStyle = '#d33';
    g.fillRect(0, 0, 64, 48);
    const data = atob(canvas.toDataURL('image/png').split(',')[1]);
    const bytes = Uint8Array.from(data, (c) => c.charCodeAt(0));
    const files = new DataTransfer();
    files.items.add(new File([bytes], 'square.png', { type: 'image/png' }));
    const input = document.getElementById('composer-file');
    input.files = files.files;
    input.dispatchEvent(new Event('change'));
";

#[tokio::test]
async fn an_image_sent_in_one_page_renders_in_the_other() {
    let _ = required_env("S3_ENDPOINT");
    let system = start_system().await;
    let driver = Driver::start().await;
    let alice = driver.page("alice").await;
    let bob = driver.page("bob").await;
    sign_in(&alice, &system, "Alice").await;
    sign_in(&bob, &system, "Bob").await;
    let group = create_group(&alice, "Photos", &["Bob"]).await;
    open_chat(&bob, &group, "Photos").await;

    alice.js(ATTACH_PNG, vec![]).await;
    alice.wait_text("#attached", "square.png").await;
    alice.type_into("#composer-text", "a red square").await;
    alice.click("#send").await;

    // Bob's page shows the caption and the image itself, loaded from its signed URL.
    bob.wait_texts(MESSAGES, &["a red square"]).await;
    bob.wait_js(
        "the image renders in Bob's page",
        "return [...document.querySelectorAll('#messages .msg img')]
            .some((i) => i.complete && i.naturalWidth === 64 && i.naturalHeight === 48)",
        vec![],
    )
    .await;
    alice
        .wait_js(
            "the image renders in Alice's page",
            "return [...document.querySelectorAll('#messages .msg img')].some((i) => i.complete && i.naturalWidth === 64)",
            vec![],
        )
        .await;
    bob.screenshot("browser-bob-image.png").await;
    assert_no_errors(&[&alice, &bob]).await;
}
