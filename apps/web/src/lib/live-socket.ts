import {
  type AuthErrorFrame,
  type AuthOkData,
  type ConnectionStatus as ClientStatus,
  GavelClient,
  type Id,
  type ServerFrame,
  type WebSocketConstructor,
} from '@gavel/client';
import { Emitter, Observable } from './observable.js';

/** The indicator's states: the client's, with `paused` shown as `offline` (the page pauses only when offline). */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'stopped';

export interface LiveSocketOptions {
  url: string;
  /**
   * The access token for every connect and before the token's `exp`: the one place where token refresh plugs
   * in (session.ts). null: signed out.
   */
  getToken: () => string | null | Promise<string | null>;
  /** The last notification id seen, sent with every auth so the API replays what this device missed. */
  since: () => Id | null;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  minReconnectDelayMs: number;
  maxReconnectDelayMs: number;
  /** Injected in unit tests. */
  WebSocket?: WebSocketConstructor;
}

/**
 * The page's live connection: @gavel/client (reconnects, replay, subscriptions, seq de-duplication, token
 * refresh, the 2-hour limit) wired to the page — observable status for the indicator, the browser's
 * online/offline events to pause()/resume(), and the client's events as the frames the views read.
 */
export class LiveSocket {
  readonly status = new Observable<ConnectionStatus>('stopped');
  /** Pushed events in the protocol's frame shape; `subscribed` carries the snapshot of a watched auction. */
  readonly events = new Emitter<ServerFrame>();
  /** A new connection was authenticated (not a token renewal on the same one). */
  readonly authenticated = new Emitter<AuthOkData>();
  /** The token was refused (401): retrying cannot help, the user must sign in again. */
  readonly rejected = new Emitter<AuthErrorFrame['data']>();
  /** Frames that are not ours: gateway errors, `error` answers. Logged for support, shown nowhere. */
  readonly problems = new Emitter<string>();
  readonly client: GavelClient;

  constructor(options: LiveSocketOptions) {
    this.client = new GavelClient({
      url: options.url,
      getToken: options.getToken,
      since: options.since,
      WebSocket: options.WebSocket,
      pingIntervalMs: options.pingIntervalMs,
      pongTimeoutMs: options.pongTimeoutMs,
      minReconnectDelayMs: options.minReconnectDelayMs,
      maxReconnectDelayMs: options.maxReconnectDelayMs,
      autoStart: false,
    });
    const client = this.client;
    client.on('status', (status) => this.status.set(pageStatus(status)));
    client.on('auth.ok', (data) => !data.renewed && this.authenticated.emit(data));
    client.on('auth.error', (data) => this.rejected.emit(data));
    client.on('problem', (problem) => this.problems.emit(problem));
    client.on('snapshot', (data) => this.events.emit({ type: 'subscribed', data }));
    client.on('bid', (event) => this.events.emit(event));
    client.on('auction.closed', (event) => this.events.emit(event));
    client.on('notification', (event) => this.events.emit(event));
    client.on('notification.read', (data) => this.events.emit({ type: 'notification.read', data }));
  }

  get connectionId(): string | null {
    return this.client.connectionId;
  }

  start(): void {
    this.client.start();
    globalThis.addEventListener?.('online', this.onOnline);
    globalThis.addEventListener?.('offline', this.onOffline);
    if (globalThis.navigator?.onLine === false) this.client.pause();
  }

  stop(): void {
    globalThis.removeEventListener?.('online', this.onOnline);
    globalThis.removeEventListener?.('offline', this.onOffline);
    this.client.stop();
  }

  /**
   * Receives these auctions' snapshots, `bid` and `auction.closed` events on this connection and every later
   * one, until the returned function is called.
   */
  watch(auctionIds: Id[]): () => void {
    const stops = auctionIds.map((auctionId) => this.client.subscribe(auctionId));
    return () => stops.forEach((stop) => stop());
  }

  /** Drops the current socket and connects again at once (e.g. the user pressed "Retry now"). */
  reconnectNow(): void {
    if (this.client.status === 'paused') this.client.resume();
    else this.client.reconnectNow();
  }

  private readonly onOnline = (): void => this.client.resume();
  private readonly onOffline = (): void => this.client.pause();
}

function pageStatus(status: ClientStatus): ConnectionStatus {
  return status === 'paused' ? 'offline' : status;
}
