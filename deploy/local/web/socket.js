// The live side: one WebSocket to wse-gateway that always comes back. Each (re)connect
// asks for what was missed with ?resume=<chat>:<last version seen>,...; the gateway
// replays it in order, or sends `resync` for a chat whose gap it no longer holds (the
// page then refetches that chat over REST). Frames: {t, p, id, ts, v}; see
// services/wse-gateway/src/protocol.rs.

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5000;
const TYPING_EVERY_MS = 2000;

export class LiveSocket {
  /// `cursors()` gives the Map chat id -> last version seen at the moment of connecting.
  constructor(url, token, { cursors, onFrame, onStatus }) {
    this.url = url;
    this.token = token;
    this.cursors = cursors;
    this.onFrame = onFrame;
    this.onStatus = onStatus;
    this.ws = null;
    this.backoff = MIN_BACKOFF_MS;
    this.stopped = false;
    this.held = false;
    this.connects = 0;
    this.lastTyping = new Map();
  }

  connect() {
    if (this.stopped) return;
    const query = new URLSearchParams({ token: this.token });
    const resume = [...this.cursors()].map(([chat, v]) => `${chat}:${v}`).join(",");
    if (resume) query.set("resume", resume);
    const ws = new WebSocket(`${this.url}?${query}`);
    this.ws = ws;
    this.onStatus("connecting");
    ws.onopen = () => {
      this.connects += 1;
      this.backoff = MIN_BACKOFF_MS;
      this.onStatus("live");
    };
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        console.warn("not a JSON frame", event.data);
        return;
      }
      this.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (event.code === 4401) {
        // The token is no good: reconnecting with it cannot help.
        this.stopped = true;
        this.onStatus("signed-out", event.reason);
        return;
      }
      if (this.stopped) return;
      if (this.held) return this.onStatus("offline");
      this.onStatus("reconnecting", event.reason);
      const wait = this.backoff;
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
      setTimeout(() => this.connect(), wait);
    };
  }

  /// Tells the others in `chatId` that we type, at most every couple of seconds.
  typing(chatId) {
    const now = Date.now();
    if (now - (this.lastTyping.get(chatId) || 0) < TYPING_EVERY_MS) return;
    this.lastTyping.set(chatId, now);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ t: "typing", chat_id: chatId }));
    }
  }

  /// Drops the connection as a network failure would. It comes back by itself, or,
  /// with `stayDown`, only once `reconnect()` is called (an outage of chosen length).
  drop({ stayDown = false } = {}) {
    this.held = stayDown;
    if (this.ws) this.ws.close(4000, "dropped by the page");
  }

  /// Ends an outage begun with `drop({stayDown: true})`.
  reconnect() {
    if (!this.held) return;
    this.held = false;
    this.connect();
  }

  /// Closes for good (sign-out).
  stop() {
    this.stopped = true;
    if (this.ws) this.ws.close(1000, "signed out");
  }
}
