// The REST side: command-api's /api routes and the dev-only sign-in, same origin as
// this page. Every failure becomes an ApiError carrying the API's {error: {code, message}}.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(`${status} ${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

async function call(method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = (json && json.error) || {};
    throw new ApiError(response.status, error.code || "http_error", error.message || text);
  }
  return json;
}

/// Chats per page of the list.
const CHAT_PAGE = 50;

/// The demo users, or null when the dev token issuer is off.
export async function demoUsers() {
  try {
    return (await call("GET", "/dev/users")).users;
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

/// {token, expires_at, user: {id, name}, wse_url} for a demo user.
export function demoToken(user) {
  return call("POST", "/dev/token", { body: { user } });
}

/// The API as one signed-in user.
export class Api {
  constructor(token) {
    this.token = token;
  }

  get(path) {
    return call("GET", path, { token: this.token });
  }

  send(method, path, body) {
    return call(method, path, { token: this.token, body });
  }

  /// The first `pages` pages of the chat list (most recently active first, `CHAT_PAGE`
  /// chats a page): {chats, more}, `more` when later pages exist.
  async chatPages(pages) {
    const chats = [];
    let cursor = null;
    for (let page = 0; page < pages; page++) {
      const query = new URLSearchParams({ limit: String(CHAT_PAGE) });
      if (cursor) query.set("cursor", cursor);
      const answer = await this.get(`/api/chats?${query}`);
      chats.push(...answer.chats);
      cursor = answer.next_cursor;
      if (!cursor) break;
    }
    return { chats, more: cursor !== null };
  }

  /// {unread_count, chats_with_unread} over the unarchived chats.
  unread() {
    return this.get("/api/chats/unread");
  }

  /// The best messages matching `q` in the caller's chats, each with a `snippet`.
  searchMessages(q) {
    return this.get(`/api/search/messages?${new URLSearchParams({ q })}`).then((r) => r.messages);
  }

  chat(id) {
    return this.get(`/api/chats/${id}`);
  }

  participants(id) {
    return this.get(`/api/chats/${id}/participants`).then((r) => r.participants);
  }

  /// A page of history, newest first: {messages, next_before}.
  history(id, { before, limit = 30 } = {}) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before) query.set("before", before);
    return this.get(`/api/chats/${id}/messages?${query}`);
  }

  createChat(type, name, participants) {
    const body = { type, participants };
    if (name) body.name = name;
    return this.send("POST", "/api/chats", body);
  }

  addParticipant(id, userId) {
    return this.send("POST", `/api/chats/${id}/participants`, { user_id: userId });
  }

  /// Sends `content`, with `attachment` ({upload_id, width?, height?, duration_secs?})
  /// for a media message (then `content` is its caption and may be empty).
  sendMessage(id, content, clientMessageId, attachment) {
    const body = { content, client_message_id: clientMessageId };
    if (attachment) body.attachment = attachment;
    return this.send("POST", `/api/chats/${id}/messages`, body);
  }

  /// One message as history shows it (a file with its download URL).
  message(id, messageId) {
    return this.get(`/api/chats/${id}/messages/${messageId}`);
  }

  /// Uploads `file` for a media message of chat `id`: asks command-api for an upload,
  /// then PUTs the bytes straight to the object store's pre-signed URL (they never pass
  /// through the API). Returns the upload's id.
  async upload(id, file) {
    const ticket = await this.send("POST", `/api/chats/${id}/attachments`, {
      name: file.name,
      size: file.size,
      mime_type: file.type || "application/octet-stream",
    });
    const put = await fetch(ticket.upload_url, { method: ticket.method, headers: ticket.headers, body: file });
    if (!put.ok) throw new ApiError(put.status, "upload_failed", `the object store answered ${put.status}`);
    return ticket.upload_id;
  }

  editMessage(id, messageId, content) {
    return this.send("PATCH", `/api/chats/${id}/messages/${messageId}`, { content });
  }

  deleteMessage(id, messageId) {
    return this.send("DELETE", `/api/chats/${id}/messages/${messageId}`);
  }

  markRead(id, messageId) {
    return this.send("POST", `/api/chats/${id}/read`, { message_id: messageId });
  }
}
