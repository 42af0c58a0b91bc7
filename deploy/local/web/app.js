// The dev chat client: sign-in, the chat list, one open conversation, and the live
// socket. State lives in ChatStore (store.js); REST in api.js; the socket in socket.js.
// Plain ES modules, no build step.

import { Api, demoToken, demoUsers } from "./api.js";
import { LiveSocket } from "./socket.js";
import { ChatStore } from "./store.js";
import {
  bindViews,
  el,
  renderChats,
  renderHeader,
  renderMessages,
  renderSearch,
  renderTyping,
  toast,
} from "./view.js";

const $ = (id) => document.getElementById(id);
const SESSION_KEY = "chat.session"; // per tab: two tabs can be two users
const TYPING_SHOWN_MS = 4000;

/// Everything the views read.
const ui = {
  me: null, // {id, name}
  store: null,
  users: new Map(), // user id -> display name
  directPeer: new Map(), // direct chat id -> the other user's id
  openChat: null,
  participants: [],
  typing: new Map(), // chat id -> Map(user id -> {name, until})
  chatPages: 1, // pages of the chat list shown
  moreChats: false, // whether the list has more pages
  unreadElsewhere: 0, // unread messages in chats of pages not loaded
  results: null, // message search hits, or null when no search is shown
  actions: null, // what the views' buttons do (set below)
};

let api = null;
let socket = null;
let listTimer = null;
let readTimer = null;
let loadingOlder = false;

const report = (e) => {
  console.error(e);
  window.chatApp.errors.push(e.message || String(e));
  toast(e.message || String(e));
};

async function start() {
  const saved = sessionStorage.getItem(SESSION_KEY);
  if (saved) return enter(JSON.parse(saved));
  $("signin").hidden = false;
  const box = $("demo-users");
  const list = await demoUsers();
  if (!list) {
    box.textContent = "Demo sign-in is off: start command-api with DEV_TOKEN_ISSUER=1.";
    return;
  }
  for (const user of list) {
    box.append(el("button", { type: "button", dataset: { user: user.name }, onclick: () => signIn(user.name) }, user.name));
  }
}

async function signIn(name) {
  try {
    const session = await demoToken(name);
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    await enter(session);
  } catch (e) {
    $("signin-error").textContent = e.message;
  }
}

function signOut() {
  if (socket) socket.stop();
  sessionStorage.removeItem(SESSION_KEY);
  location.reload();
}

async function enter(session) {
  api = new Api(session.token);
  ui.me = session.user;
  ui.store = new ChatStore(session.user);
  ui.users.set(session.user.id, session.user.name);
  for (const user of (await demoUsers()) || []) ui.users.set(user.id, user.name);
  $("signin").hidden = true;
  $("main").hidden = false;
  $("me").textContent = session.user.name;
  renderMemberChoices();
  try {
    await refreshChats();
  } catch (e) {
    if (e.status === 401) return signOut();
    throw e;
  }
  // The list's versions are where the socket resumes from: nothing between the REST
  // read and the socket's opening is missed.
  socket = new LiveSocket(session.wse_url, session.token, {
    cursors: () => ui.store.versions,
    onFrame,
    onStatus,
  });
  socket.connect();
}

function onStatus(state, reason) {
  $("status").dataset.state = state;
  $("status").textContent = state;
  if (state === "signed-out") {
    toast(`signed out: ${reason || "token refused"}`);
    setTimeout(signOut, 1500);
  }
}

async function refreshChats() {
  const [list, unread] = await Promise.all([api.chatPages(ui.chatPages), api.unread()]);
  ui.store.setChats(list.chats);
  ui.moreChats = list.more;
  // The total covers every chat; the shown ones count on from frames (store.js), so
  // keep only what the pages not loaded hold.
  ui.unreadElsewhere = Math.max(0, unread.unread_count - unreadShown());
  const unnamed = [...ui.store.chats.values()].filter((c) => c.type === "direct" && !ui.directPeer.has(c.id));
  await Promise.all(
    unnamed.map(async (chat) => {
      // The read model may not list the peer yet (frames can be quicker): then the
      // next refresh, which their participant_added frame causes, asks again.
      const peer = (await api.participants(chat.id)).find((p) => p.user_id !== ui.me.id);
      if (peer) ui.directPeer.set(chat.id, peer.user_id);
    }),
  );
  if (ui.openChat && !ui.store.chats.has(ui.openChat)) ui.openChat = null;
  if (ui.openChat && ui.store.chats.get(ui.openChat).unread_count > 0) markReadSoon();
  renderChats();
  renderHeader();
}

/// Refetches the list shortly (frames come in bursts). The gateway can be quicker than
/// the read model: while the list lacks the frame's chat (or a direct chat's peer), it
/// tries again a few times.
function refreshChatsSoon(chatId, attempt = 0) {
  clearTimeout(listTimer);
  listTimer = setTimeout(async () => {
    try {
      await refreshChats();
      const behind =
        (chatId && !ui.store.chats.has(chatId)) ||
        [...ui.store.chats.values()].some((c) => c.type === "direct" && !ui.directPeer.has(c.id));
      if (behind && attempt < 8) refreshChatsSoon(chatId, attempt + 1);
    } catch (e) {
      report(e);
    }
  }, 150 * (attempt + 1));
}

async function openChat(chatId) {
  ui.openChat = chatId;
  ui.participants = [];
  stopEdit();
  renderChats();
  renderHeader();
  renderMessages({ toBottom: true });
  ui.participants = await api.participants(chatId);
  renderHeader();
  if (!ui.store.isLoaded(chatId)) await loadPage(chatId, { first: true });
  renderMessages({ toBottom: true });
  // Infinite scroll needs a scrollbar: load until the page is full or history ends.
  const box = $("messages");
  while (ui.openChat === chatId && ui.store.older.get(chatId) && box.scrollHeight <= box.clientHeight) {
    await loadOlder();
  }
  markReadSoon();
}

async function loadPage(chatId, { first }) {
  const before = first ? undefined : ui.store.older.get(chatId);
  ui.store.addPage(chatId, await api.history(chatId, { before }), { first });
}

async function loadOlder() {
  const chatId = ui.openChat;
  if (!chatId || loadingOlder || !ui.store.older.get(chatId)) return;
  loadingOlder = true;
  const box = $("messages");
  const fromBottom = box.scrollHeight - box.scrollTop;
  try {
    await loadPage(chatId, { first: false });
  } finally {
    loadingOlder = false;
  }
  if (ui.openChat !== chatId) return;
  renderMessages();
  box.scrollTop = box.scrollHeight - fromBottom;
}

/// The gateway no longer holds what this chat missed: refetch it over REST.
async function resync(chatId) {
  ui.store.resetMessages(chatId);
  await refreshChats();
  if (ui.openChat === chatId) {
    await loadPage(chatId, { first: true });
    renderMessages({ toBottom: true });
    markReadSoon();
  }
}

function onFrame(frame) {
  // The last frames, for a look in the devtools console (chatApp.recent).
  window.chatApp.recent.push(`${frame.t} ${frame.p?.chat_id ?? ""} v${frame.p?.version ?? "-"}`);
  if (window.chatApp.recent.length > 50) window.chatApp.recent.shift();
  if (frame.t === "resync") return resync(frame.p.chat_id).catch(report);
  if (frame.t === "user_typing") return onTyping(frame.p);
  if (frame.t === "error") return console.warn("gateway says", frame.p);
  if (!frame.p || !frame.p.chat_id) return;
  const effect = ui.store.apply(frame, ui.openChat);
  if (effect.refreshList) refreshChatsSoon(ui.store.chats.has(effect.chatId) ? null : effect.chatId);
  // A message ends its sender's typing.
  if (effect.message) ui.typing.get(effect.chatId)?.delete(effect.message.sender_id);
  if (effect.chatId === ui.openChat) {
    if (effect.message) {
      renderTyping();
      if (effect.message.sender_id !== ui.me.id) markReadSoon();
    }
    if (frame.t.startsWith("participant_")) {
      api.participants(effect.chatId).then((ps) => {
        ui.participants = ps;
        renderHeader();
      }, report);
    }
    renderMessages();
  }
  renderChats();
}

function onTyping(p) {
  if (p.user_id === ui.me.id) return;
  let chat = ui.typing.get(p.chat_id);
  if (!chat) ui.typing.set(p.chat_id, (chat = new Map()));
  chat.set(p.user_id, { name: p.name || ui.users.get(p.user_id) || "someone", until: Date.now() + TYPING_SHOWN_MS });
  renderTyping();
  setTimeout(renderTyping, TYPING_SHOWN_MS + 50);
}

function markReadSoon() {
  clearTimeout(readTimer);
  readTimer = setTimeout(() => {
    const chatId = ui.openChat;
    const upTo = chatId && ui.store.toMarkRead(chatId);
    // A read pointer only moves forward: marking an older position changes nothing.
    if (upTo) api.markRead(chatId, upTo.id).catch((e) => console.warn("mark read", e));
  }, 300);
}

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

let editing = null; // the message being edited

function startEdit(message) {
  editing = message.id;
  $("editing").hidden = false;
  $("composer-text").value = message.content;
  $("composer-text").focus();
}

function stopEdit() {
  editing = null;
  $("editing").hidden = true;
}

/// The file chosen for the next message, shown beside the composer.
function chosenFile() {
  return $("composer-file").files[0] || null;
}

function clearFile() {
  $("composer-file").value = "";
  $("attached").hidden = true;
}

/// What a send says of its file besides the upload: an image's size, a recording's length.
async function fileFacts(file) {
  try {
    if (file.type.startsWith("image/") && window.createImageBitmap) {
      const image = await createImageBitmap(file);
      return { width: image.width, height: image.height };
    }
    if (file.type.startsWith("audio/")) {
      const audio = new Audio(URL.createObjectURL(file));
      await new Promise((done) => {
        audio.onloadedmetadata = done;
        audio.onerror = done;
      });
      if (Number.isFinite(audio.duration)) return { duration_secs: Math.round(audio.duration) };
    }
  } catch (_) {
    // Facts are optional: the message goes without them.
  }
  return {};
}

/// Uploads `file` and sends it with `caption`; the message (its file with a download
/// URL) is shown as history shows it.
async function sendFile(chatId, caption, file) {
  const uploadId = await api.upload(chatId, file);
  const attachment = { upload_id: uploadId, ...(await fileFacts(file)) };
  const sent = await api.sendMessage(chatId, caption, newId(), attachment);
  ui.store.put(await api.message(chatId, sent.message_id));
}

async function submit(event) {
  event.preventDefault();
  const input = $("composer-text");
  const content = input.value.trim();
  const chatId = ui.openChat;
  const file = editing ? null : chosenFile();
  if ((!content && !file) || !chatId) return;
  input.value = "";
  const messageId = editing;
  stopEdit();
  try {
    if (file) {
      clearFile();
      await sendFile(chatId, content, file);
    } else if (messageId) {
      await api.editMessage(chatId, messageId, content);
      const known = ui.store.messages.get(chatId)?.get(messageId);
      if (known) ui.store.put({ ...known, content, is_edited: true });
    } else {
      const sent = await api.sendMessage(chatId, content, newId());
      // Shown at once; the live frame of the same id then changes nothing.
      if (!sent.replayed) {
        ui.store.put({
          id: sent.message_id,
          chat_id: chatId,
          sender_id: ui.me.id,
          sender_name: ui.me.name,
          content,
          source: "chat",
          created_at: sent.created_at,
          is_edited: false,
          is_deleted: false,
          version: sent.version,
        });
      }
    }
    renderMessages({ toBottom: true });
  } catch (e) {
    input.value = content;
    report(e);
  }
}

async function deleteMessage(message) {
  try {
    await api.deleteMessage(message.chat_id, message.id);
    ui.store.put({ ...message, content: null, is_deleted: true });
    renderMessages();
  } catch (e) {
    report(e);
  }
}

function renderMemberChoices() {
  const box = $("new-chat-members");
  box.replaceChildren();
  for (const [id, name] of ui.users) {
    if (id === ui.me.id) continue;
    box.append(el("label", {}, el("input", { type: "checkbox", value: id, dataset: { name } }), ` ${name}`));
  }
}

async function createChat(event) {
  event.preventDefault();
  const type = $("new-chat-type").value;
  const name = $("new-chat-name").value.trim();
  const members = [...$("new-chat-members").querySelectorAll("input:checked")].map((i) => i.value);
  if (type === "direct" && members.length !== 1) return toast("A direct chat is with exactly one other user");
  if (type === "group" && !name) return toast("A group needs a name");
  try {
    const created = await api.createChat(type, type === "group" ? name : null, members);
    $("new-chat-name").value = "";
    for (const box of $("new-chat-members").querySelectorAll("input")) box.checked = false;
    await refreshChats();
    await openChat(created.chat_id);
  } catch (e) {
    report(e);
  }
}

async function addMember(event) {
  event.preventDefault();
  const userId = $("add-member-user").value;
  if (!userId || !ui.openChat) return;
  try {
    await api.addParticipant(ui.openChat, userId);
    ui.participants = await api.participants(ui.openChat);
    renderHeader();
  } catch (e) {
    report(e);
  }
}

/// Unread messages over the chats the list shows.
function unreadShown() {
  return [...ui.store.chats.values()].reduce((n, chat) => n + (chat.unread_count || 0), 0);
}

/// Shows one more page of the chat list.
function moreChats() {
  ui.chatPages += 1;
  refreshChats().catch(report);
}

async function search(event) {
  event.preventDefault();
  const q = $("search-text").value.trim();
  try {
    ui.results = q ? await api.searchMessages(q) : null;
  } catch (e) {
    ui.results = null;
    report(e);
  }
  renderSearch();
}

/// Opens the chat of a search hit and closes the results.
function openHit(hit) {
  ui.results = null;
  $("search-text").value = "";
  renderSearch();
  openChat(hit.chat_id).catch(report);
}

ui.actions = { openChat, startEdit, deleteMessage, moreChats, openHit, unreadShown };
bindViews(ui);

$("signout").onclick = signOut;
$("new-chat").onsubmit = createChat;
$("search").onsubmit = search;
$("add-member").onsubmit = addMember;
$("composer").onsubmit = submit;
$("composer-file").addEventListener("change", () => {
  const file = chosenFile();
  $("attached").textContent = file ? file.name : "";
  $("attached").hidden = !file;
});
$("cancel-edit").onclick = () => {
  stopEdit();
  $("composer-text").value = "";
};
$("composer-text").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) submit(e);
});
$("composer-text").addEventListener("input", () => {
  if (ui.openChat && socket) socket.typing(ui.openChat);
});
$("messages").addEventListener("scroll", () => {
  if ($("messages").scrollTop < 60) loadOlder().catch(report);
});

// Hooks for the browser test (integration-tests/tests/browser.rs) and for poking around
// in the devtools console.
window.chatApp = {
  dropSocket: () => socket && socket.drop(),
  goOffline: () => socket && socket.drop({ stayDown: true }),
  goOnline: () => socket && socket.reconnect(),
  connects: () => (socket ? socket.connects : 0),
  errors: [],
  recent: [],
};

start().catch(report);
