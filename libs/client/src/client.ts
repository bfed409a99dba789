import { tokenExpiry } from './jwt.js';
import type {
  AuctionClosedFrame,
  AuthErrorFrame,
  AuthExpiredFrame,
  AuthOkData,
  BidFrame,
  ClientMessage,
  Id,
  NotificationFrame,
  NotificationReadFrame,
  ServerFrame,
  SubscribedFrame,
} from './protocol.js';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'paused' | 'stopped';

/** What the client needs of a WebSocket: browsers', React Native's and `ws`'s sockets all have it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface ConnectOptions {
  /** The stage URL, e.g. `wss://abc.execute-api.eu-west-1.amazonaws.com/prod`. */
  url: string;
  /**
   * The current access token, asked for on every connect and before the token's `exp`. The one seam for
   * token refresh: return a fresh token here. null / undefined: signed out, the client stops.
   */
  getToken: () => string | null | undefined | Promise<string | null | undefined>;
  /** Default: the global `WebSocket` (browsers, React Native, Node 22+); pass `ws`'s on older Node. */
  WebSocket?: WebSocketConstructor;
  /** The last notification id this device has; the client then keeps track of the newest it received. */
  since?: Id | null | (() => Id | null | undefined);
  /** 5 min: API Gateway closes a connection idle for 10 min. */
  pingIntervalMs?: number;
  /** No pong within this time: the socket is replaced. 30 s. */
  pongTimeoutMs?: number;
  /** Full-jitter backoff between reconnects: random(0, min(max, min · 2^attempt)). 1 s and 30 s. */
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** A socket not open after this long is given up. 10 s. */
  connectTimeoutMs?: number;
  /** API Gateway's maximum connection duration (2 h): the client moves to a new socket before it. */
  maxConnectionMs?: number;
  /** How long before the token's `exp` the client asks getToken for a fresh one. 60 s. */
  refreshBeforeExpiryMs?: number;
  /** false: do not connect until start() is called. */
  autoStart?: boolean;
  /** Math.random by default; tests pass their own. */
  random?: () => number;
}

export interface AuctionSnapshot<TAuction = Record<string, unknown>> {
  auctionId: Id;
  /** The auction's bid count when the snapshot was taken: the next bid is seq + 1. */
  seq: number;
  /** The `GET /auctions/:id` body. */
  auction: TAuction;
}

export interface ClientEvents {
  status: ConnectionStatus;
  /** A connection was authenticated; `renewed`: a fresh token on the same connection (nothing was missed). */
  'auth.ok': AuthOkData & { renewed: boolean };
  /** The server refused the token for good (401 twice, or no token): the client has stopped. */
  'auth.error': AuthErrorFrame['data'];
  /** The server saw the token run out; the client reconnects with a token from getToken. */
  'auth.expired': AuthExpiredFrame['data'];
  /** A watched auction as it is now; bids with a higher seq follow, each once and in order. */
  snapshot: AuctionSnapshot;
  bid: BidFrame;
  'auction.closed': AuctionClosedFrame;
  notification: NotificationFrame;
  'notification.read': NotificationReadFrame['data'];
  /** Bids were missing: the client asks for a fresh snapshot before it passes on later bids. */
  gap: { auctionId: Id; expected: number; got: number };
  /** Something worth a log line: refused subscriptions, gateway errors, ignored frames. */
  problem: string;
}

export interface ClientStats {
  /** Frames dropped as bad input: not JSON, an unknown type, malformed, or for an auction not watched. */
  ignored: number;
  /** Events already delivered (same seq / notification id), e.g. during a planned reconnect's overlap. */
  duplicates: number;
  gaps: number;
  /** Sockets opened after the first one. */
  reconnects: number;
  plannedReconnects: number;
  /** `auth` sent again on a live connection with a fresh token. */
  tokenRefreshes: number;
}

interface Link {
  socket: WebSocketLike;
  openedAt: number;
  /** No more frames are read from it, nothing is sent on it. */
  closed: boolean;
  /** linkClosed() has run. */
  gone: boolean;
  authed: boolean;
  token: string | null;
  connectionId: string | null;
  authFailures: number;
  /** A 401 was answered once already on this socket. */
  refused: boolean;
  /** Auctions whose `subscribed` this link still awaits (a planned handover waits for them). */
  pending: Set<string>;
  connectTimer?: Timer;
  pongTimer?: Timer;
  authTimer?: Timer;
}

interface Watched {
  auctionId: Id;
  watchers: number;
  /** The last seq handed on (snapshot or bid); null before the first snapshot. */
  seq: number | null;
  closed: boolean;
  /** A fresh snapshot was asked for: bids wait here until it comes. */
  resyncing: boolean;
  resyncs: number;
  held: BidFrame[];
}

type Listener<T> = (value: T) => void;
type Timer = unknown;
/** The timers every JavaScript host has, typed here so that the package needs neither DOM nor Node types. Read at call time (fake timers in tests). */
const host = globalThis as unknown as {
  setTimeout(callback: () => void, ms?: number): Timer;
  clearTimeout(timer: Timer): void;
  setInterval(callback: () => void, ms: number): Timer;
  clearInterval(timer: Timer): void;
  reportError?: (error: unknown) => void;
};
type SocketHandlers = {
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: (() => void) | null;
  onerror: (() => void) | null;
};

const OPEN = 1;
const MINUTE = 60_000;
const HELD_BIDS = 200;
const SEEN_NOTIFICATIONS = 1000;
const RESYNCS_BEFORE_GIVING_UP = 3;
const HANDOVER_TIMEOUT_MS = 10_000;

/** Opens a client (and connects at once unless `autoStart: false`). */
export function connect(options: ConnectOptions): GavelClient {
  return new GavelClient(options);
}

/**
 * One logical live connection to Gavel: authenticates, watches auctions, delivers each bid and notification
 * once, and survives reconnects, API Gateway's 2-hour limit and token expiry (see the README's "Clients").
 */
export class GavelClient {
  private readonly listeners = new Map<keyof ClientEvents, Set<Listener<never>>>();
  private readonly watched = new Map<string, Watched>();
  private readonly seenNotifications = new Set<string>();
  private readonly counters: ClientStats = {
    ignored: 0,
    duplicates: 0,
    gaps: 0,
    reconnects: 0,
    plannedReconnects: 0,
    tokenRefreshes: 0,
  };
  private readonly Socket: WebSocketConstructor;
  private readonly random: () => number;
  private running = false;
  private paused = false;
  private everConnected = false;
  private currentStatus: ConnectionStatus = 'stopped';
  private attempt = 0;
  private socketsOpened = 0;
  private link?: Link;
  /** The socket that takes over before the 2-hour limit, until it is authenticated. */
  private successor?: Link;
  /** The socket that was taken over, until the successor holds every subscription. */
  private retiring?: Link;
  private token: string | null = null;
  private lastNotificationId: Id | null = null;
  private reconnectTimer?: Timer;
  private plannedTimer?: Timer;
  private refreshTimer?: Timer;
  private handoverTimer?: Timer;
  private pingTimer?: Timer;

  constructor(private readonly options: ConnectOptions) {
    const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Socket) throw new TypeError('@gavel/client: no global WebSocket here; pass one: connect({ WebSocket })');
    this.Socket = Socket;
    this.random = options.random ?? Math.random;
    if (options.autoStart !== false) this.start();
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  /** The gateway's id of the authenticated connection, if any. */
  get connectionId(): string | null {
    return this.link?.authed ? this.link.connectionId : null;
  }

  stats(): ClientStats {
    return { ...this.counters };
  }

  on<K extends keyof ClientEvents>(type: K, listener: Listener<ClientEvents[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => void set.delete(listener as Listener<never>);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.paused = false;
    this.everConnected = false;
    this.attempt = 0;
    this.socketsOpened = 0;
    const since = this.options.since;
    this.lastNotificationId = typeof since === 'function' ? null : (since ?? null);
    this.pingTimer = host.setInterval(() => this.ping(), this.options.pingIntervalMs ?? 5 * MINUTE);
    this.link = this.openLink();
    this.updateStatus();
  }

  /** Closes everything; start() connects again. The watched auctions are kept. */
  stop(): void {
    this.running = false;
    this.paused = false;
    this.clearTimers();
    host.clearInterval(this.pingTimer);
    this.dropAll('stopped');
    this.token = null;
    this.seenNotifications.clear();
    this.updateStatus();
  }

  /** The app went to the background or the network went away: close the socket, keep every subscription. */
  pause(): void {
    if (!this.running || this.paused) return;
    this.paused = true;
    this.clearTimers();
    this.dropAll('paused');
    this.updateStatus();
  }

  /** Back in the foreground / online: connect at once, replay what was missed, subscribe again. */
  resume(): void {
    if (!this.running || !this.paused) return;
    this.paused = false;
    this.attempt = 0;
    this.link = this.openLink();
    this.updateStatus();
  }

  /** Drops the current socket and connects again without waiting for the backoff. */
  reconnectNow(): void {
    if (!this.running || this.paused) return;
    host.clearTimeout(this.reconnectTimer);
    this.dropAll('reconnect');
    this.attempt = 0;
    this.link = this.openLink();
    this.updateStatus();
  }

  /**
   * Watches an auction: a `snapshot` event, then its `bid` and `auction.closed` events, on this connection and
   * every later one, until the returned function is called (watchers are counted per auction).
   */
  subscribe(auctionId: Id): () => void {
    const key = String(auctionId);
    let entry = this.watched.get(key);
    if (entry) entry.watchers++;
    else {
      entry = { auctionId, watchers: 1, seq: null, closed: false, resyncing: false, resyncs: 0, held: [] };
      this.watched.set(key, entry);
    }
    // A second watcher needs a snapshot too: subscribing again answers with a fresh one.
    for (const link of this.authedLinks()) this.subscribeOn(link, entry);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const current = this.watched.get(key);
      if (!current || --current.watchers > 0) return;
      this.watched.delete(key);
      for (const link of this.authedLinks()) this.send(link, { action: 'unsubscribe', auctionId });
    };
  }

  // --- sockets ---------------------------------------------------------------------------------------------

  private openLink(): Link {
    if (this.socketsOpened++ > 0) this.counters.reconnects++;
    const socket = new this.Socket(this.options.url);
    const link: Link = {
      socket,
      openedAt: Date.now(),
      closed: false,
      gone: false,
      authed: false,
      token: null,
      connectionId: null,
      authFailures: 0,
      refused: false,
      pending: new Set(),
    };
    const handlers = socket as WebSocketLike & SocketHandlers;
    handlers.onopen = () => {
      host.clearTimeout(link.connectTimer);
      void this.authenticate(link);
    };
    handlers.onmessage = (event) => this.receive(link, event.data);
    handlers.onclose = () => this.linkClosed(link);
    handlers.onerror = () => undefined; // a close follows
    link.connectTimer = host.setTimeout(() => {
      this.problem('connect timed out');
      this.drop(link, 'connect timeout');
      this.linkClosed(link);
    }, this.options.connectTimeoutMs ?? 10_000);
    return link;
  }

  /** Bookkeeping once a socket is gone, whoever closed it. */
  private linkClosed(link: Link): void {
    if (link.gone) return;
    link.gone = true;
    this.forget(link);
    if (link === this.retiring) {
      this.retiring = undefined;
    } else if (link === this.successor) {
      this.successor = undefined;
      if (!this.link) this.scheduleReconnect();
      else this.schedulePlanned(this.backoff());
    } else if (link === this.link) {
      this.link = undefined;
      // A planned successor on its way takes over; otherwise connect again after the backoff.
      if (!this.successor) this.scheduleReconnect();
    }
    this.updateStatus();
  }

  private forget(link: Link): void {
    link.closed = true;
    host.clearTimeout(link.connectTimer);
    host.clearTimeout(link.pongTimer);
    host.clearTimeout(link.authTimer);
    const handlers = link.socket as WebSocketLike & SocketHandlers;
    handlers.onopen = handlers.onmessage = handlers.onclose = null;
    // onerror stays: `ws` throws an 'error' event (closing while connecting) that nobody listens to.
  }

  private drop(link: Link | undefined, reason: string): void {
    if (!link || link.closed) return;
    this.forget(link);
    try {
      link.socket.close(1000, reason);
    } catch {
      // closing a socket that never opened may throw in some implementations
    }
  }

  private dropAll(reason: string): void {
    for (const link of [this.link, this.successor, this.retiring]) this.drop(link, reason);
    this.link = this.successor = this.retiring = undefined;
  }

  private scheduleReconnect(delay = this.backoff()): void {
    if (!this.running || this.paused) return;
    host.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = host.setTimeout(() => {
      if (!this.running || this.paused || this.link) return;
      this.link = this.openLink();
      this.updateStatus();
    }, delay);
  }

  /** Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): clients dropped together return spread out. */
  private backoff(): number {
    const min = this.options.minReconnectDelayMs ?? 1000;
    const max = this.options.maxReconnectDelayMs ?? 30_000;
    const ceiling = Math.min(max, min * 2 ** Math.min(this.attempt++, 30));
    return Math.floor(this.random() * ceiling);
  }

  private authedLinks(): Link[] {
    return [this.link, this.successor].filter((link): link is Link => !!link?.authed && !link.closed);
  }

  private send(link: Link, message: ClientMessage): void {
    if (!link.closed && link.socket.readyState === OPEN) link.socket.send(JSON.stringify(message));
  }

  // --- authentication --------------------------------------------------------------------------------------

  private async authenticate(link: Link, refused?: string): Promise<void> {
    let token: string | null | undefined;
    try {
      token = await this.options.getToken();
    } catch (error) {
      this.problem(`getToken failed: ${String(error)}`);
      this.drop(link, 'no token');
      return this.linkClosed(link);
    }
    if (link.closed) return;
    if (!token || token === refused) {
      this.emit('auth.error', { status: 401, message: token ? 'the token was refused' : 'no token' });
      return this.stop();
    }
    this.sendAuth(link, token);
  }

  private sendAuth(link: Link, token: string): void {
    link.token = token;
    const since = this.since();
    this.send(link, since === null ? { action: 'auth', token } : { action: 'auth', token, since });
    this.token = token;
    this.scheduleRefresh(token);
  }

  private since(): Id | null {
    const since = this.options.since;
    const given = typeof since === 'function' ? (since() ?? null) : null;
    return newerId(given, this.lastNotificationId);
  }

  private scheduleRefresh(token: string): void {
    host.clearTimeout(this.refreshTimer);
    const expiresAt = tokenExpiry(token);
    if (expiresAt === undefined) return;
    const left = expiresAt - Date.now();
    if (left <= 0) return;
    const margin = this.options.refreshBeforeExpiryMs ?? MINUTE;
    this.refreshTimer = host.setTimeout(() => void this.refresh(expiresAt), Math.max(left - margin, left / 2));
  }

  /** Sends `auth` with a fresh token on the live connection(s): the server extends their registration. */
  private async refresh(expiresAt: number): Promise<void> {
    let token: string | null | undefined;
    try {
      token = await this.options.getToken();
    } catch (error) {
      this.problem(`getToken failed: ${String(error)}`);
    }
    if (!this.running) return;
    if (!token || token === this.token) {
      // Nothing fresher yet: ask again halfway to the expiry (auth.expired and a reconnect are the last resort).
      const left = expiresAt - Date.now();
      if (left > 1000) this.refreshTimer = host.setTimeout(() => void this.refresh(expiresAt), left / 2);
      return;
    }
    this.counters.tokenRefreshes++;
    this.token = token;
    this.scheduleRefresh(token);
    for (const link of this.authedLinks()) this.sendAuth(link, token);
  }

  private authOk(link: Link, data: AuthOkData): void {
    const renewed = link.authed;
    link.authed = true;
    link.authFailures = 0;
    link.connectionId = typeof data.connectionId === 'string' ? data.connectionId : null;
    if (!renewed) {
      this.attempt = 0;
      this.everConnected = true;
      if (link === this.successor) this.takeOver(link);
      for (const entry of this.watched.values()) this.subscribeOn(link, entry);
      if (link === this.link) this.maybeFinishHandover();
      this.schedulePlanned(this.plannedDelay(link));
    }
    this.updateStatus();
    this.emit('auth.ok', { ...data, renewed });
  }

  private authError(link: Link, data: AuthErrorFrame['data']): void {
    if (data.status === 401) {
      // Perhaps only this token is dead: one more try with whatever getToken gives now.
      if (!link.refused) {
        link.refused = true;
        return void this.authenticate(link, link.token ?? undefined);
      }
      this.emit('auth.error', data);
      return this.stop();
    }
    this.retryAuth(link, `auth.error ${data.status}: ${data.message}`);
  }

  /** 429 / 503 / a gateway error during auth: the socket is fine, ask again on it after a backoff. */
  private retryAuth(link: Link, reason: string): void {
    this.problem(reason);
    const min = this.options.minReconnectDelayMs ?? 1000;
    const max = this.options.maxReconnectDelayMs ?? 30_000;
    const ceiling = Math.min(max, min * 2 ** Math.min(link.authFailures++, 30));
    host.clearTimeout(link.authTimer);
    link.authTimer = host.setTimeout(() => void this.authenticate(link), Math.floor(this.random() * ceiling));
  }

  private authExpired(link: Link, data: AuthExpiredFrame['data']): void {
    this.emit('auth.expired', data);
    if (!this.running) return;
    // The server closes this connection: connect again at once; authenticate() asks getToken for a new token.
    this.drop(link, 'token expired');
    this.linkClosed(link);
    this.reconnectAtOnce();
  }

  private reconnectAtOnce(): void {
    if (!this.running || this.paused || this.link || this.successor) return;
    host.clearTimeout(this.reconnectTimer);
    this.link = this.openLink();
    this.updateStatus();
  }

  // --- the 2-hour limit ------------------------------------------------------------------------------------

  /** 1 h 50–55 min into a 2 h connection (a random point, so clients connected together do not move together). */
  private plannedDelay(link: Link): number {
    const max = this.options.maxConnectionMs ?? 120 * MINUTE;
    const margin = Math.min(5 * MINUTE, max / 8);
    return Math.max(0, link.openedAt + max - margin * (1 + this.random()) - Date.now());
  }

  private schedulePlanned(delay: number): void {
    host.clearTimeout(this.plannedTimer);
    this.plannedTimer = host.setTimeout(() => {
      if (!this.running || this.paused || this.successor || !this.link?.authed) return;
      this.counters.plannedReconnects++;
      this.successor = this.openLink();
    }, delay);
  }

  /** The successor is authenticated: it becomes the link; the old one stays until the successor holds every subscription. */
  private takeOver(link: Link): void {
    this.successor = undefined;
    this.drop(this.retiring, 'replaced');
    this.retiring = this.link;
    this.link = link;
    host.clearTimeout(this.handoverTimer);
    this.handoverTimer = host.setTimeout(() => this.retire(), HANDOVER_TIMEOUT_MS);
  }

  private maybeFinishHandover(): void {
    if (this.retiring && this.link && this.link.pending.size === 0) this.retire();
  }

  private retire(): void {
    host.clearTimeout(this.handoverTimer);
    this.drop(this.retiring, 'replaced');
    this.retiring = undefined;
  }

  // --- keep-alive ------------------------------------------------------------------------------------------

  private ping(): void {
    const link = this.link;
    if (!link || link.closed || link.socket.readyState !== OPEN) return;
    // A socket that stopped answering (sleeping laptop, dead NAT mapping) is replaced rather than waited on.
    link.pongTimer ??= host.setTimeout(() => {
      this.problem('no pong: reconnecting');
      this.drop(link, 'no pong');
      this.linkClosed(link);
      this.reconnectAtOnce();
    }, this.options.pongTimeoutMs ?? 30_000);
    this.send(link, { action: 'ping' });
  }

  // --- frames ----------------------------------------------------------------------------------------------

  private receive(link: Link, raw: unknown): void {
    let frame: unknown;
    try {
      frame = typeof raw === 'string' ? JSON.parse(raw) : undefined;
    } catch {
      frame = undefined;
    }
    if (!frame || typeof frame !== 'object' || Array.isArray(frame)) return this.ignore('not a JSON object');
    const record = frame as Record<string, unknown>;
    if (typeof record.type !== 'string') {
      // API Gateway's own `{"message":"Forbidden"|"Internal server error",…}`; during auth it means: try again.
      if (typeof record.message !== 'string') return this.ignore('a frame without a type');
      if (!link.authed) return this.retryAuth(link, `gateway: ${record.message}`);
      return this.problem(`gateway: ${record.message}`);
    }
    const data = record.data as Record<string, unknown> | undefined;
    if (record.type !== 'pong' && (!data || typeof data !== 'object'))
      return this.ignore(`${record.type} without data`);
    const pushed = record.type === 'bid' || record.type === 'notification' || record.type === 'auction.closed';
    if (pushed && typeof record.id !== 'string' && typeof record.id !== 'number')
      return this.ignore(`${record.type} without id`);
    const event = frame as ServerFrame;
    switch (event.type) {
      case 'auth.ok':
        return this.authOk(link, event.data);
      case 'auth.error':
        return this.authError(link, event.data);
      case 'auth.expired':
        return this.authExpired(link, event.data);
      case 'pong':
        host.clearTimeout(link.pongTimer);
        link.pongTimer = undefined;
        return;
      case 'subscribed':
        return this.snapshot(link, event);
      case 'bid':
        return this.bid(event);
      case 'auction.closed':
        return this.closed(event);
      case 'notification':
        return this.notification(event);
      case 'notification.read':
        return this.emit('notification.read', event.data);
      case 'unsubscribed':
        return;
      case 'error':
        return this.problem(`server: ${event.data.message}${event.data.status ? ` (${event.data.status})` : ''}`);
      default:
        return this.ignore(`unknown type ${String(record.type).slice(0, 40)}`);
    }
  }

  private subscribeOn(link: Link, entry: Watched): void {
    link.pending.add(String(entry.auctionId));
    this.send(link, { action: 'subscribe', auctionId: entry.auctionId });
  }

  private snapshot(link: Link, event: SubscribedFrame): void {
    const { auctionId, seq } = event.data;
    const key = String(auctionId);
    link.pending.delete(key);
    if (link === this.link) this.maybeFinishHandover();
    const entry = this.watched.get(key);
    if (!entry || !isSeq(seq)) return this.ignore(`snapshot of ${key}`);
    // Older than what was handed on already (a race between two sockets): everything in it is known.
    if (entry.seq === null || seq >= entry.seq) {
      entry.seq = seq;
      this.emit('snapshot', { auctionId: entry.auctionId, seq, auction: event.data.auction });
    }
    entry.resyncing = false;
    const held = entry.held.sort((a, b) => a.data.seq - b.data.seq);
    entry.held = [];
    for (const bid of held) this.bid(bid);
    if (!entry.resyncing) entry.resyncs = 0;
  }

  private bid(event: BidFrame): void {
    const entry = this.watched.get(String(event.data.auctionId));
    if (!entry || !isSeq(event.data.seq)) return this.ignore(`bid for ${String(event.data.auctionId)}`);
    const { seq } = event.data;
    if (entry.seq !== null && seq <= entry.seq) {
      this.counters.duplicates++;
      return;
    }
    if (entry.seq === null || entry.resyncing) return this.hold(entry, event);
    if (seq > entry.seq + 1) {
      this.counters.gaps++;
      this.emit('gap', { auctionId: entry.auctionId, expected: entry.seq + 1, got: seq });
      if (entry.resyncs < RESYNCS_BEFORE_GIVING_UP) {
        this.hold(entry, event);
        return this.resync(entry);
      }
      // The snapshot keeps lacking those bids: hand on what there is rather than stall the auction.
    }
    entry.seq = seq;
    this.emit('bid', event);
  }

  private hold(entry: Watched, event: BidFrame): void {
    if (entry.held.some((held) => held.data.seq === event.data.seq)) {
      this.counters.duplicates++;
      return;
    }
    entry.held.push(event);
    if (entry.held.length > HELD_BIDS) entry.held.shift();
  }

  /** Missing bids: subscribing again gives a fresh snapshot over the socket (no REST call needed). */
  private resync(entry: Watched): void {
    entry.resyncing = true;
    entry.resyncs++;
    if (this.link?.authed) this.subscribeOn(this.link, entry);
  }

  private closed(event: AuctionClosedFrame): void {
    const entry = this.watched.get(String(event.data.auctionId));
    if (!entry) return this.ignore(`auction.closed for ${String(event.data.auctionId)}`);
    if (entry.closed) {
      this.counters.duplicates++;
      return;
    }
    entry.closed = true;
    this.emit('auction.closed', event);
    // Its final bid count says bids were missed: the snapshot brings them.
    if (entry.seq !== null && isSeq(event.data.seq) && event.data.seq > entry.seq && !entry.resyncing)
      this.resync(entry);
  }

  private notification(event: NotificationFrame): void {
    const key = String(event.id);
    if (this.seenNotifications.has(key)) {
      this.counters.duplicates++;
      return;
    }
    this.seenNotifications.add(key);
    if (this.seenNotifications.size > SEEN_NOTIFICATIONS)
      this.seenNotifications.delete(this.seenNotifications.values().next().value as string);
    this.lastNotificationId = newerId(this.lastNotificationId, event.id);
    this.emit('notification', event);
  }

  // --- helpers ---------------------------------------------------------------------------------------------

  private ignore(what: string): void {
    this.counters.ignored++;
    this.problem(`ignored: ${what}`);
  }

  private problem(message: string): void {
    this.emit('problem', message);
  }

  private emit<K extends keyof ClientEvents>(type: K, value: ClientEvents[K]): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) {
      try {
        (listener as Listener<ClientEvents[K]>)(value);
      } catch (error) {
        // The application's own bug: reported, but it must not leave the client half-way through a frame.
        if (host.reportError) host.reportError(error);
        else
          host.setTimeout(() => {
            throw error;
          });
      }
    }
  }

  private updateStatus(): void {
    const status: ConnectionStatus = !this.running
      ? 'stopped'
      : this.paused
        ? 'paused'
        : this.link?.authed
          ? 'connected'
          : this.everConnected
            ? 'reconnecting'
            : 'connecting';
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.emit('status', status);
  }

  private clearTimers(): void {
    for (const timer of [this.reconnectTimer, this.plannedTimer, this.refreshTimer, this.handoverTimer])
      host.clearTimeout(timer);
  }
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The newer of two ids (numbers or strings of digits compare as numbers; ids are increasing). */
export function newerId(a: Id | null, b: Id | null): Id | null {
  if (a === null) return b;
  if (b === null) return a;
  const x = String(a);
  const y = String(b);
  const numeric = /^\d+$/.test(x) && /^\d+$/.test(y);
  const bIsNewer = numeric ? y.length > x.length || (y.length === x.length && y > x) : y > x;
  return bIsNewer ? b : a;
}
