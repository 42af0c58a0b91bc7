// Rendering: turns the page state (bound once with bindViews) into DOM. Text always goes
// in as text nodes, never as HTML (a search snippet's marks become elements).

const $ = (id) => document.getElementById(id);
let ui = null;

/// Binds the state every render reads (see `ui` in app.js).
export function bindViews(state) {
  ui = state;
}

/// An element with properties (dataset and on* handlers included) and children.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

let toastTimer = null;

/// Shows a short note at the bottom of the page.
export function toast(text) {
  const note = $("toast");
  note.textContent = text;
  note.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (note.hidden = true), 4000);
}

const nameOf = (userId) => (userId && ui.users.get(userId)) || (userId ? userId.slice(0, 8) : "?");

function chatTitle(chat) {
  if (chat.type !== "direct") return chat.name || "(unnamed)";
  const peer = ui.directPeer.get(chat.id);
  return peer ? nameOf(peer) : "Direct chat";
}

const activity = (chat) => chat.last_message?.created_at || chat.created_at || "";

export function renderChats() {
  const list = $("chats");
  const chats = [...ui.store.chats.values()].sort((a, b) => activity(b).localeCompare(activity(a)));
  list.replaceChildren(
    ...chats.map((chat) => {
      const last = chat.last_message;
      const preview = last
        ? `${last.sender_name || nameOf(last.sender_id)}: ${last.is_deleted ? "(deleted)" : last.content || `[${last.message_type}]`}`
        : "No messages yet";
      return el(
        "li",
        {
          className: chat.id === ui.openChat ? "open" : "",
          dataset: { chatId: chat.id, unread: String(chat.unread_count) },
          onclick: () => ui.actions.openChat(chat.id),
        },
        el(
          "div",
          { className: "row" },
          el("span", { className: "title" }, chatTitle(chat)),
          chat.unread_count > 0 ? el("span", { className: "unread" }, String(chat.unread_count)) : null,
        ),
        el("div", { className: "preview" }, preview),
      );
    }),
    // replaceChildren shows a null as the text "null": only nodes go in.
    ...(ui.moreChats
      ? [el("li", { className: "more-chats" }, el("button", { type: "button", onclick: ui.actions.moreChats }, "More chats"))]
      : []),
  );
  const total = ui.unreadElsewhere + ui.actions.unreadShown();
  $("unread-total").textContent = total > 0 ? String(total) : "";
  $("unread-total").hidden = total === 0;
  $("unread-total").title = total > 0 ? `${total} unread` : "";
}

/// A search snippet as nodes: the API escapes the text and marks the matches with
/// `<mark>`; here the marks become elements and the rest text again.
function snippetNodes(snippet) {
  const text = (s) => s.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
  return snippet
    .split(/(<mark>[\s\S]*?<\/mark>)/)
    .filter((part) => part)
    .map((part) =>
      part.startsWith("<mark>") ? el("mark", {}, text(part.slice(6, -7))) : document.createTextNode(text(part)),
    );
}

export function renderSearch() {
  const list = $("search-results");
  list.hidden = ui.results === null;
  if (ui.results === null) return list.replaceChildren();
  if (ui.results.length === 0) return list.replaceChildren(el("li", { className: "none" }, "Nothing found"));
  list.replaceChildren(
    ...ui.results.map((hit) => {
      const chat = ui.store.chats.get(hit.chat_id);
      return el(
        "li",
        { dataset: { chatId: hit.chat_id, messageId: hit.message_id }, onclick: () => ui.actions.openHit(hit) },
        el("div", { className: "row" }, el("span", { className: "title" }, chat ? chatTitle(chat) : "Chat"), el("span", { className: "who" }, hit.sender_name || nameOf(hit.sender_id))),
        el("div", { className: "preview" }, ...snippetNodes(hit.snippet)),
      );
    }),
  );
}

export function renderHeader() {
  const chat = ui.store.chats.get(ui.openChat);
  $("composer").hidden = !chat;
  $("add-member").hidden = !chat || chat.type === "direct";
  if (!chat) {
    $("chat-title").textContent = "Pick or create a chat";
    $("chat-members").textContent = "";
    return;
  }
  $("chat-title").textContent = chatTitle(chat);
  $("chat-members").textContent = ui.participants
    .map((p) => `${nameOf(p.user_id)}${p.role === "admin" ? " (admin)" : ""}`)
    .join(", ");
  const inside = new Set(ui.participants.map((p) => p.user_id));
  const select = $("add-member-user");
  select.replaceChildren(
    ...[...ui.users]
      .filter(([id]) => !inside.has(id))
      .map(([id, name]) => el("option", { value: id }, name)),
  );
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
}

function messageView(message, isAdmin) {
  if (message.source === "system") return noticeView(message);
  const mine = message.sender_id === ui.me.id;
  const actions = [];
  if (mine && !message.is_deleted) {
    actions.push(el("button", { className: "edit", type: "button", onclick: () => ui.actions.startEdit(message) }, "edit"));
  }
  if ((mine || isAdmin) && !message.is_deleted) {
    actions.push(el("button", { className: "delete", type: "button", onclick: () => ui.actions.deleteMessage(message) }, "delete"));
  }
  const meta = `${message.sender_name || nameOf(message.sender_id)} · ${time(message.created_at)}${message.is_edited ? " · edited" : ""}`;
  return el(
    "div",
    {
      className: `msg${mine ? " mine" : ""}${message.is_deleted ? " deleted" : ""}`,
      dataset: { id: message.id, version: String(message.version) },
    },
    el("div", { className: "meta" }, meta),
    message.is_deleted || !message.attachment ? null : attachmentView(message),
    el("div", { className: "content" }, message.is_deleted ? "message deleted" : message.content),
    actions.length ? el("div", { className: "actions" }, ...actions) : null,
  );
}

/// A file size for people.
function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/// A media message's file: an image inline, a voice note as a player, anything else as
/// a download link (the URL is short-lived and signed for participants).
function attachmentView(message) {
  const file = message.attachment;
  const label = `${file.name} (${size(file.size)})`;
  if (!file.url) return el("div", { className: "file" }, label);
  switch (message.message_type) {
    case "image":
      return el("a", { className: "file image", href: file.url, target: "_blank" }, el("img", { src: file.url, alt: file.name }));
    case "voice":
      return el("audio", { className: "file voice", controls: true, src: file.url, title: label });
    default:
      return el("a", { className: "file", href: file.url, download: file.name }, label);
  }
}

/// A notice of the system (e.g. a Telegram link that broke): a line of its own, no
/// sender, no actions.
function noticeView(message) {
  return el(
    "div",
    { className: "msg notice", dataset: { id: message.id, version: String(message.version) } },
    el("div", { className: "content" }, `${message.content} · ${time(message.created_at)}`),
  );
}

/// The open chat's loaded messages, oldest first; stays at the bottom if it was there.
export function renderMessages({ toBottom = false } = {}) {
  const box = $("messages");
  const atBottom = toBottom || box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const chatId = ui.openChat;
  if (!chatId) return box.replaceChildren();
  const chat = ui.store.chats.get(chatId);
  const edge = ui.store.older.get(chatId)
    ? "Scroll up for older messages"
    : ui.store.isLoaded(chatId)
      ? "The start of the conversation"
      : "Loading…";
  const isAdmin = chat?.role === "admin";
  box.replaceChildren(
    el("div", { className: "more" }, edge),
    ...ui.store.sorted(chatId).map((m) => messageView(m, isAdmin)),
  );
  if (atBottom) box.scrollTop = box.scrollHeight;
}

export function renderTyping() {
  const now = Date.now();
  const who = [...(ui.typing.get(ui.openChat) || new Map()).values()]
    .filter((t) => t.until > now)
    .map((t) => t.name);
  $("typing").textContent = who.length ? `${who.join(", ")} ${who.length > 1 ? "are" : "is"} typing…` : "";
}
