import ReconnectingWebSocket from 'reconnecting-websocket';
import type { AuthErrorEvent, AuthOkEvent, GatewayErrorFrame, Id, ServerEvent } from '@gavel/contracts';
import { Emitter, Observable } from './observable.js';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'stopped';

export interface LiveSocketOptions {
  url: string;
  token: () => string | null;
  /** The last notification id seen, sent with every auth so the API replays what this device missed. */
  since: () => Id | null;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  minReconnectDelayMs: number;
  maxReconnectDelayMs: number;
  /** Injected in unit tests. */
  WebSocket?: typeof WebSocket;
}

/**
 * The one WebSocket of the page: connects, authenticates with `{"action":"auth","token","since"}`,
 * reconnects with jittered backoff (reconnecting-websocket), re-authenticates after every reconnect,
 * subscribes again to the auctions the page watches (subscriptions end with their connection), and
 * pings often enough that API Gateway's 10-minute idle timeout never fires.
 */
export class LiveSocket {
  readonly status = new Observable<ConnectionStatus>('stopped');
  readonly events = new Emitter<ServerEvent>();
  readonly authenticated = new Emitter<AuthOkEvent['data']>();
  /** The token was refused (401): retrying cannot help, the user must sign in again. */
  readonly rejected = new Emitter<AuthErrorEvent['data']>();
  /** Frames that are not ours: gateway errors, `error` answers. Logged for support, shown nowhere. */
  readonly problems = new Emitter<string>();

  private socket: ReconnectingWebSocket | undefined;
  private authed = false;
  private authFailures = 0;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private authRetryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Auction id (as a string) → how many views watch it. */
  private readonly watched = new Map<string, { auctionId: Id; watchers: number }>();

  constructor(private readonly options: LiveSocketOptions) {}

  get connectionId(): string | null {
    return this.lastConnectionId;
  }
  private lastConnectionId: string | null = null;

  start(): void {
    if (this.socket) return;
    const { minReconnectDelayMs: min } = this.options;
    this.status.set('connecting');
    this.socket = new ReconnectingWebSocket(this.options.url, [], {
      WebSocket: this.options.WebSocket,
      // Jitter per page so that thousands of clients dropped at once do not come back in lockstep.
      minReconnectionDelay: min + Math.random() * min,
      maxReconnectionDelay: this.options.maxReconnectDelayMs,
      reconnectionDelayGrowFactor: 2,
      connectionTimeout: 10_000,
      // Never replay stale frames (an old auth, old pings) after a reconnect: we send only while open.
      maxEnqueuedMessages: 0,
    });
    this.socket.addEventListener('open', this.onOpen);
    this.socket.addEventListener('message', this.onMessage);
    this.socket.addEventListener('close', this.onClose);
    globalThis.addEventListener?.('online', this.onOnline);
    globalThis.addEventListener?.('offline', this.onOffline);
  }

  stop(): void {
    globalThis.removeEventListener?.('online', this.onOnline);
    globalThis.removeEventListener?.('offline', this.onOffline);
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    this.authed = false;
    socket?.close(1000, 'signed out');
    this.status.set('stopped');
  }

  /**
   * Receives these auctions' `bid` and `auction.closed` events, each after a `subscribed` snapshot, on
   * this connection and every later one, until the returned function is called.
   */
  watch(auctionIds: Id[]): () => void {
    const added = auctionIds.filter((auctionId) => {
      const entry = this.watched.get(String(auctionId));
      if (entry) entry.watchers++;
      else this.watched.set(String(auctionId), { auctionId, watchers: 1 });
      return !entry;
    });
    if (this.authed) for (const auctionId of added) this.send({ action: 'subscribe', auctionId });
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      for (const auctionId of auctionIds) {
        const entry = this.watched.get(String(auctionId));
        if (!entry || --entry.watchers > 0) continue;
        this.watched.delete(String(auctionId));
        if (this.authed) this.send({ action: 'unsubscribe', auctionId });
      }
    };
  }

  /** Drops the current socket and connects again at once (e.g. the user pressed "Reconnect now"). */
  reconnectNow(): void {
    this.socket?.reconnect();
  }

  private readonly onOpen = (): void => {
    this.authed = false;
    this.authFailures = 0;
    this.sendAuth();
    this.startPinging();
  };

  private readonly onClose = (): void => {
    this.authed = false;
    this.lastConnectionId = null;
    this.clearTimers();
    if (!this.socket) return;
    this.status.set(globalThis.navigator?.onLine === false ? 'offline' : 'reconnecting');
  };

  private readonly onOnline = (): void => {
    // A socket that survived the outage is still authenticated; otherwise do not wait for the backoff.
    if (this.authed) this.status.set('connected');
    else this.socket?.reconnect();
  };

  private readonly onOffline = (): void => {
    this.status.set('offline');
  };

  private readonly onMessage = (event: MessageEvent): void => {
    let frame: unknown;
    try {
      frame = JSON.parse(String(event.data));
    } catch {
      this.problems.emit(`not JSON: ${String(event.data).slice(0, 200)}`);
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    if ('type' in frame && typeof frame.type === 'string') this.handleEvent(frame as ServerEvent);
    else if ('message' in frame) this.handleGatewayError(frame as GatewayErrorFrame);
  };

  private handleEvent(event: ServerEvent): void {
    switch (event.type) {
      case 'auth.ok':
        this.authed = true;
        this.authFailures = 0;
        this.lastConnectionId = event.data.connectionId;
        this.status.set('connected');
        // A repeated auth.ok on the same connection re-sends these too: subscribing again is harmless (a fresh snapshot).
        for (const { auctionId } of this.watched.values()) this.send({ action: 'subscribe', auctionId });
        this.authenticated.emit(event.data);
        return;
      case 'auth.error':
        if (event.data.status === 401) {
          this.rejected.emit(event.data);
          this.stop();
        } else {
          this.retryAuth(`auth.error ${event.data.status}: ${event.data.message}`);
        }
        return;
      case 'pong':
        clearTimeout(this.pongTimer);
        this.pongTimer = undefined;
        return;
      case 'error':
        this.problems.emit(`server: ${event.data?.message}`);
        return;
      default:
        this.events.emit(event);
    }
  }

  /** `{"message":"Internal server error"|"Forbidden",…}` from API Gateway itself; during auth it means: try again. */
  private handleGatewayError(frame: GatewayErrorFrame): void {
    if (!this.authed) this.retryAuth(`gateway: ${frame.message}`);
    else this.problems.emit(`gateway: ${frame.message} (request ${frame.requestId})`);
  }

  private retryAuth(reason: string): void {
    this.problems.emit(reason);
    this.status.set('reconnecting');
    this.authFailures++;
    const delay = Math.min(
      this.options.maxReconnectDelayMs,
      this.options.minReconnectDelayMs * 2 ** (this.authFailures - 1),
    );
    clearTimeout(this.authRetryTimer);
    // The socket itself is fine: ask again on it instead of reconnecting.
    this.authRetryTimer = setTimeout(() => this.sendAuth(), delay * (1 + Math.random() / 2));
  }

  private sendAuth(): void {
    const token = this.options.token();
    if (!token) return this.stop();
    const since = this.options.since();
    this.send(since === null ? { action: 'auth', token } : { action: 'auth', token, since });
  }

  private startPinging(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      this.send({ action: 'ping' });
      // A socket that stopped answering (sleeping laptop, dead NAT mapping) is replaced instead of waited on.
      this.pongTimer ??= setTimeout(() => {
        this.pongTimer = undefined;
        this.problems.emit('no pong: reconnecting');
        this.socket?.reconnect();
      }, this.options.pongTimeoutMs);
    }, this.options.pingIntervalMs);
  }

  private send(message: object): void {
    if (this.socket?.readyState === ReconnectingWebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private clearTimers(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    clearTimeout(this.authRetryTimer);
    this.pingTimer = this.pongTimer = this.authRetryTimer = undefined;
  }
}
