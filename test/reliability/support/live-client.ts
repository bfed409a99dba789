/**
 * A user's WebSocket client as the reliability tests need it: connects through the gateway, sends
 * `auth` (with `since` = the last notification id it saw), subscribes to the auctions it watches (again
 * after every reconnect, as subscriptions end with their connection), counts every `bid` and `notification` it
 * receives (duplicates included), and — when `reconnect` is on — reconnects with exponential backoff
 * and jitter after the gateway drops it, as the web client does. Hand-written rather than
 * a reconnecting client library because the tests must see each physical connection (its id, its auth.ok,
 * its close code) and the resume cursor, which that library hides.
 */
import WebSocket from 'ws';

export interface LiveClientOptions {
  reconnect?: boolean;
  /** First retry delay; doubles up to `maxDelayMs`, with ±50 % jitter. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Gives up after this many consecutive failed attempts (tests must stop by themselves). */
  maxAttempts?: number;
  /** Auctions to subscribe to after each `auth.ok` (bids reach only an auction's subscribers). */
  watch?: Array<number | string>;
}

interface Waiter {
  check: () => boolean;
  resolve: () => void;
}

export class LiveClient {
  /** bidId → times received. */
  readonly bids = new Map<string, number>();
  /** notification id → times received. */
  readonly notifications = new Map<string, number>();
  readonly authErrors: Array<{ status: number; message: string }> = [];
  readonly closes: number[] = [];
  /** Connection ids this client has been authenticated on, in order. */
  readonly connectionIds: string[] = [];
  /** Frames that are none of the expected kinds. */
  readonly unexpected: string[] = [];
  reconnects = 0;
  /** `subscribed` frames received on the current connection. */
  private subscribedHere = 0;
  /** The last frames received (text, ms since start), for failure messages. */
  readonly recentFrames: string[] = [];
  private readonly started = Date.now();
  private socket: WebSocket | undefined;
  private lastNotificationId: string | undefined;
  private stopped = false;
  private attempts = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    readonly url: string,
    readonly token: string,
    private readonly options: LiveClientOptions = {},
  ) {}

  /** Connects and authenticates; resolves on `auth.ok`, rejects on a failed handshake or `auth.error`. */
  async connect(): Promise<void> {
    const authenticatedBefore = this.connectionIds.length;
    const errorsBefore = this.authErrors.length;
    await this.open();
    await this.until(
      () => this.connectionIds.length > authenticatedBefore || this.authErrors.length > errorsBefore,
      30_000,
      'auth.ok',
    );
    if (this.connectionIds.length === authenticatedBefore)
      throw new Error(`auth failed: ${JSON.stringify(this.authErrors.at(-1))}`);
    const watched = this.options.watch?.length ?? 0;
    await this.until(() => this.subscribedHere >= watched, 30_000, `subscribed to ${watched} auctions`);
  }

  /** Ids received more than once (must stay empty: every event is delivered once per connection). */
  duplicates(): string[] {
    return [
      ...[...this.bids].filter(([, n]) => n > 1).map(([id]) => `bid ${id}`),
      ...[...this.notifications].filter(([, n]) => n > 1).map(([id]) => `notification ${id}`),
    ];
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  get currentConnectionId(): string | undefined {
    return this.connectionIds.at(-1);
  }

  send(message: Record<string, unknown>): void {
    this.socket?.send(JSON.stringify(message));
  }

  /** Resolves once `check()` holds; rejects after `timeoutMs` naming `what` (tests never hang). */
  until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`${what}: not reached within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.stopped = true;
    this.socket?.close(1000);
  }

  /** Drops the TCP connection without a close handshake. */
  terminate(): void {
    this.stopped = true;
    this.socket?.terminate();
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url, { headers: { 'User-Agent': 'gavel-reliability/1.0' } });
      this.socket = socket;
      socket.once('open', () => {
        this.attempts = 0;
        socket.send(
          JSON.stringify({
            action: 'auth',
            token: this.token,
            ...(this.lastNotificationId ? { since: this.lastNotificationId } : {}),
          }),
        );
        resolve();
      });
      socket.once('unexpected-response', (_request, response) => {
        socket.terminate();
        reject(new Error(`handshake refused with ${response.statusCode}`));
      });
      socket.once('error', reject);
      socket.on('message', (data) => this.onFrame(String(data)));
      socket.on('close', (code) => {
        this.closes.push(code);
        this.settle();
        if (!this.stopped && this.options.reconnect && socket === this.socket) this.scheduleReconnect();
      });
    });
  }

  private scheduleReconnect(): void {
    const { minDelayMs = 100, maxDelayMs = 2_000, maxAttempts = 40 } = this.options;
    if (this.attempts >= maxAttempts) return;
    const base = Math.min(maxDelayMs, minDelayMs * 2 ** this.attempts);
    const delay = base * (0.5 + Math.random());
    this.attempts++;
    setTimeout(() => {
      if (this.stopped) return;
      this.reconnects++;
      // A refused handshake or connection error also emits 'close', whose handler schedules the next try.
      this.open().catch(() => undefined);
    }, delay).unref();
  }

  private onFrame(text: string): void {
    this.recentFrames.push(`+${Date.now() - this.started}ms ${text.slice(0, 160)}`);
    if (this.recentFrames.length > 400) this.recentFrames.splice(0, 100);
    let frame: { type?: string; id?: unknown; data?: Record<string, unknown> };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      this.unexpected.push(text.slice(0, 200));
      return;
    }
    switch (frame.type) {
      case 'auth.ok':
        this.connectionIds.push(String(frame.data?.connectionId));
        this.subscribedHere = 0;
        for (const auctionId of this.options.watch ?? []) this.send({ action: 'subscribe', auctionId });
        break;
      case 'subscribed':
        this.subscribedHere++;
        break;
      case 'auth.error':
        this.authErrors.push(frame.data as { status: number; message: string });
        break;
      case 'bid': {
        const bidId = String(frame.data?.bidId);
        this.bids.set(bidId, (this.bids.get(bidId) ?? 0) + 1);
        break;
      }
      case 'notification': {
        const id = String(frame.id);
        this.notifications.set(id, (this.notifications.get(id) ?? 0) + 1);
        this.lastNotificationId = id;
        break;
      }
      case 'auction.closed':
      case 'pong':
        break;
      default:
        this.unexpected.push(text.slice(0, 200));
    }
    this.settle();
  }

  private settle(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}
