// What the page knows, without any DOM: the chats, each chat's loaded messages, and the
// last event version seen per chat. Live frames and REST pages both land here, and
// nothing shows twice: messages are keyed by message id, and an event whose version is
// not newer than the chat's last seen one changes no counter.

/// A message of the REST shape, from a message_sent / telegram_message_received payload.
function messageOf(p) {
  return {
    id: p.message_id,
    chat_id: p.chat_id,
    sender_id: p.sender_id || null,
    sender_name: p.sender_name || null,
    content: p.content,
    message_type: p.message_type || "text",
    attachment: p.attachment || null,
    source: p.source,
    created_at: p.created_at,
    is_edited: false,
    is_deleted: false,
    version: p.version,
  };
}

/// The text of a telegram_link_changed notice (what history shows for it too).
function noticeText(change) {
  switch (change?.kind) {
    case "broken":
      return `Telegram: the bot lost access to the linked group (${change.reason}); messages are not mirrored until it is added back`;
    case "restored":
      return "Telegram: the bot is back in the linked group; mirroring goes on";
    case "moved":
      return `Telegram: the linked group was upgraded to a supergroup; the link follows it (${change.to_telegram_chat_id})`;
    default:
      return "Telegram: the link changed";
  }
}

/// A notice of the REST shape, from a telegram_link_changed payload.
function noticeOf(p) {
  return {
    ...messageOf({ ...p, message_id: p.notice_id, source: "system", created_at: p.changed_at }),
    content: noticeText(p.change),
  };
}

export class ChatStore {
  constructor(me) {
    this.me = me;
    this.chats = new Map(); // chat id -> GET /api/chats item
    this.versions = new Map(); // chat id -> last event version seen
    this.messages = new Map(); // chat id -> Map(message id -> message)
    this.older = new Map(); // chat id -> cursor of the next older page, or null at the start
  }

  /// Replaces the chat list with a fresh GET /api/chats (keeping what the page learnt
  /// of its own read position).
  setChats(list) {
    const old = this.chats;
    for (const chat of list) chat.read_version = old.get(chat.id)?.read_version || 0;
    this.chats = new Map(list.map((chat) => [chat.id, chat]));
    for (const chat of list) this.seen(chat.id, chat.version);
  }

  /// Records that `version` of `chatId` is reflected; true when it is news.
  seen(chatId, version) {
    if (version == null) return true;
    if (version <= (this.versions.get(chatId) || 0)) return false;
    this.versions.set(chatId, version);
    return true;
  }

  /// Forgets a chat's loaded messages (after a resync: they may have a hole).
  resetMessages(chatId) {
    this.messages.delete(chatId);
    this.older.delete(chatId);
  }

  isLoaded(chatId) {
    return this.older.has(chatId);
  }

  /// Adds a page of history (newest first) and where the next older page starts.
  addPage(chatId, page, { first }) {
    for (const message of page.messages) this.put(message);
    if (first && this.older.has(chatId)) return; // a refresh keeps the older cursor
    this.older.set(chatId, page.next_before || null);
  }

  /// Adds or updates one message; an older copy never overwrites a newer one.
  put(message) {
    let chat = this.messages.get(message.chat_id);
    if (!chat) this.messages.set(message.chat_id, (chat = new Map()));
    const known = chat.get(message.id);
    if (known && (known.seenVersion || 0) > (message.seenVersion || 0)) return;
    chat.set(message.id, { ...known, ...message });
  }

  /// Whether the open chat `chatId` has messages of others the user has not marked
  /// read; if so, the message to mark read up to (the newest), and notes it as read.
  toMarkRead(chatId) {
    const chat = this.chats.get(chatId);
    const messages = this.sorted(chatId);
    const newest = messages.at(-1);
    const others = messages.findLast((m) => m.sender_id !== this.me.id && !m.is_deleted);
    if (!chat || !newest || !others) return null;
    const lastRead = this.messages.get(chatId)?.get(chat.last_read_message_id);
    const readVersion = Math.max(chat.read_version, lastRead ? lastRead.version : 0);
    if (others.version <= readVersion && chat.unread_count === 0) return null;
    chat.read_version = newest.version;
    return newest;
  }

  /// The loaded messages of a chat, oldest first.
  sorted(chatId) {
    const chat = this.messages.get(chatId);
    return chat ? [...chat.values()].sort((a, b) => a.version - b.version) : [];
  }

  /// Applies a chat event frame; `openChat` is the chat on screen, whose new messages
  /// the page marks read at once (so they do not count as unread meanwhile). Returns
  /// what the page must do about it: {chatId, fresh, message?, refreshList?}.
  apply(frame, openChat) {
    const p = frame.p || {};
    const chatId = p.chat_id;
    const fresh = this.seen(chatId, p.version);
    const effect = { chatId, fresh };
    const chat = this.chats.get(chatId);
    switch (frame.t) {
      case "message_sent":
      case "telegram_message_received":
      case "telegram_link_changed": {
        const message = frame.t === "telegram_link_changed" ? noticeOf(p) : messageOf(p);
        effect.message = message;
        // Kept even before the chat's history is loaded: a page fetched while this
        // frame travelled may not hold it yet, and ids make the merge exact.
        this.put(message);
        if (chat && fresh) {
          chat.last_message = message;
          chat.last_message_id = message.id;
          chat.version = p.version;
          if (message.sender_id !== this.me.id && chatId !== openChat) chat.unread_count += 1;
        }
        if (!chat) effect.refreshList = true;
        break;
      }
      case "message_edited":
      case "message_deleted": {
        const known = this.messages.get(chatId)?.get(p.message_id);
        if (known && (known.seenVersion || 0) < p.version) {
          const change =
            frame.t === "message_edited"
              ? { content: p.content, is_edited: true, edited_at: p.edited_at }
              : { content: null, is_deleted: true };
          this.put({ ...known, ...change, seenVersion: p.version });
        }
        if (chat?.last_message?.id === p.message_id) effect.refreshList = true;
        break;
      }
      case "messages_marked_as_read":
        if (chat && p.user_id === this.me.id && fresh) {
          chat.unread_count = p.unread_count;
          chat.last_read_message_id = p.last_read_message_id;
          chat.read_version = Math.max(chat.read_version, p.last_read_message_version);
        }
        break;
      default:
        // Membership and chat lifecycle: the list (names, roles, who is in) is refetched.
        effect.refreshList = true;
    }
    return effect;
  }
}
