import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { type ConnectOptions, type ConnectionStatus, GavelClient } from './client.js';
import { tokenExpiry } from './jwt.js';

/** An in-memory WebSocket: the test plays the gateway. */
class FakeSocket {
  static all: FakeSocket[] = [];
  /** Answers pings at once, as the gateway's $default route does. */
  static autoPong = true;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  readonly sent: Record<string, any>[] = [];
  closedWith: number | undefined;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data));
    if (FakeSocket.autoPong && this.sent.at(-1)!.action === 'ping') this.push({ type: 'pong' });
  }
  close(code = 1005): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  // --- the gateway's side ---
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  push(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.();
  }
  actions(action: string): Record<string, any>[] {
    return this.sent.filter((m) => m.action === action);
  }
}

const MINUTE = 60_000;
const jwt = (expiresAt: number, n = 0) =>
  `e30.${Buffer.from(JSON.stringify({ sub: 1, n, exp: Math.floor(expiresAt / 1000) })).toString('base64url')}.sig`;
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};
const authOk = (connectionId: string) => ({
  type: 'auth.ok',
  data: { userId: 1, connectionId, replayed: 0, recovered: true, unread: 0 },
});
const bid = (auctionId: number, seq: number) => ({
  type: 'bid',
  id: `evt-${auctionId}-${seq}`,
  ts: '2026-12-07T00:00:00Z',
  data: { auctionId, bidId: seq * 10, seq, amountCents: 1000 + seq, bidderId: 2, bidderName: 'Bob', createdAt: 'x' },
});
const snapshot = (auctionId: number, seq: number) => ({
  type: 'subscribed',
  data: { auctionId, seq, auction: { id: auctionId, bidCount: seq } },
});
const notification = (id: number) => ({
  type: 'notification',
  id,
  ts: 'x',
  data: { kind: 'k', title: `n${id}`, body: null, data: null },
});

describe(GavelClient.name, () => {
  let client: GavelClient | undefined;
  let tokens: string[];
  let events: Array<[string, unknown]>;
  let statuses: ConnectionStatus[];

  const last = () => FakeSocket.all.at(-1)!;
  const start = (options: Partial<ConnectOptions> = {}): GavelClient => {
    client = new GavelClient({
      url: 'wss://example.test/prod',
      getToken: () => tokens[0],
      WebSocket: FakeSocket,
      random: () => 0.5,
      ...options,
      autoStart: false,
    });
    for (const type of [
      'bid',
      'snapshot',
      'notification',
      'auction.closed',
      'gap',
      'auth.ok',
      'auth.error',
      'auth.expired',
      'notification.read',
    ] as const)
      client.on(type, (value) => events.push([type, value]));
    client.on('status', (status) => statuses.push(status));
    client.start();
    return client;
  };
  /** Opens the newest socket and answers its auth. */
  const accept = async (connectionId = `C${FakeSocket.all.length}`): Promise<FakeSocket> => {
    const socket = last();
    socket.open();
    await flush();
    expect(socket.actions('auth')).toHaveLength(1);
    socket.push(authOk(connectionId));
    return socket;
  };
  const of = (type: string) => events.filter(([t]) => t === type).map(([, value]) => value as any);

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'], now: Date.parse('2026-12-07T12:00:00Z') });
    FakeSocket.all = [];
    FakeSocket.autoPong = true;
    tokens = [jwt(Date.now() + 60 * MINUTE)];
    events = [];
    statuses = [];
  });
  afterEach(() => {
    client?.stop();
    client = undefined;
    jest.useRealTimers();
  });

  it('reconnects with full-jitter backoff: random(0, min(max, min · 2^attempt)), reset once authenticated', async () => {
    let r = 0.999;
    start({ random: () => r, minReconnectDelayMs: 1000, maxReconnectDelayMs: 8000 });
    await accept();
    const ceilings = [1000, 2000, 4000, 8000, 8000];
    for (const ceiling of ceilings) {
      const count = FakeSocket.all.length;
      last().drop();
      jest.advanceTimersByTime(Math.floor(ceiling * r) - 1);
      expect(FakeSocket.all).toHaveLength(count);
      jest.advanceTimersByTime(1);
      expect(FakeSocket.all).toHaveLength(count + 1);
      last().open(); // opens, but is never authenticated: the backoff keeps growing
      await flush();
    }
    // The lower bound is 0 (full jitter): with random() = 0 the next attempt is immediate…
    r = 0;
    last().drop();
    jest.advanceTimersByTime(0);
    expect(FakeSocket.all).toHaveLength(ceilings.length + 2);
    // …and after an auth.ok the ceiling is back at the minimum.
    r = 0.999;
    await accept();
    last().drop();
    jest.advanceTimersByTime(998);
    expect(FakeSocket.all).toHaveLength(ceilings.length + 2);
    jest.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(ceilings.length + 3);
    expect(statuses).toEqual(['connecting', 'connected', 'reconnecting', 'connected', 'reconnecting']);
  });

  it('pings every 5 minutes and replaces a socket whose pong does not come', async () => {
    FakeSocket.autoPong = false;
    start();
    const socket = await accept();
    jest.advanceTimersByTime(5 * MINUTE - 1);
    expect(socket.actions('ping')).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(socket.actions('ping')).toHaveLength(1);
    socket.push({ type: 'pong' });
    jest.advanceTimersByTime(5 * MINUTE);
    expect(socket.actions('ping')).toHaveLength(2);
    expect(FakeSocket.all).toHaveLength(1);
    // No pong this time: after 30 s the socket is closed and another one opened at once.
    jest.advanceTimersByTime(30_000);
    expect(socket.closedWith).toBe(1000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(client!.stats().reconnects).toBe(1);
  });

  it('moves to a new socket before the 2-hour limit, losing and repeating nothing', async () => {
    tokens = [jwt(Date.now() + 10 * 60 * MINUTE)];
    start();
    client!.subscribe(7);
    const old = await accept('OLD');
    old.push(snapshot(7, 5));
    old.push(notification(41));
    // random() = 0.5: 2 h − 5 min · 1.5 after the socket opened.
    jest.advanceTimersByTime(120 * MINUTE - 7.5 * MINUTE - 1);
    expect(FakeSocket.all).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
    const fresh = last();
    fresh.open();
    await flush();
    expect(fresh.actions('auth')[0]).toMatchObject({ since: 41 });
    // Both sockets are live for a moment: the old one still carries bids and notifications.
    old.push(bid(7, 6));
    old.push(notification(42));
    fresh.push(authOk('NEW'));
    fresh.push(notification(42)); // replayed (since 41) and pushed live on the old socket too
    expect(fresh.actions('subscribe')).toEqual([{ action: 'subscribe', auctionId: 7 }]);
    expect(old.closedWith).toBeUndefined(); // not before the new socket holds the subscription
    old.push(bid(7, 7));
    fresh.push(snapshot(7, 7));
    expect(old.closedWith).toBe(1000);
    fresh.push(bid(7, 7));
    fresh.push(bid(7, 8));
    old.push(bid(7, 8)); // late frame of the old socket: closed now, ignored by the fake too
    expect(of('bid').map((b) => b.data.seq)).toEqual([6, 7, 8]);
    expect(of('notification').map((n) => n.id)).toEqual([41, 42]);
    expect(client!.connectionId).toBe('NEW');
    expect(statuses).toEqual(['connecting', 'connected']);
    expect(client!.stats()).toMatchObject({ plannedReconnects: 1, gaps: 0, ignored: 0 });
    expect(client!.stats().duplicates).toBeGreaterThanOrEqual(2);
  });

  it('keeps the old socket when the planned successor fails, and tries again', async () => {
    tokens = [jwt(Date.now() + 10 * 60 * MINUTE)];
    start({ random: () => 0.5, maxConnectionMs: 8 * MINUTE });
    const old = await accept('OLD');
    // 8 min − 1 min · 1.5 after opening.
    jest.advanceTimersByTime(6.5 * MINUTE);
    expect(FakeSocket.all).toHaveLength(2);
    last().drop(); // the successor never opened
    expect(old.closedWith).toBeUndefined();
    expect(client!.status).toBe('connected');
    jest.advanceTimersByTime(1000); // a backoff later: another successor
    expect(FakeSocket.all).toHaveLength(3);
    await accept('NEW');
    expect(old.closedWith).toBe(1000); // nothing was watched: handed over at once
    expect(client!.connectionId).toBe('NEW');
    expect(statuses).toEqual(['connecting', 'connected']);
  });

  it('refreshes the token before exp with auth on the same socket, and reconnects after auth.expired', async () => {
    const getToken = jest.fn(() => tokens[0]);
    start({ getToken });
    const socket = await accept();
    client!.subscribe(3);
    expect(getToken).toHaveBeenCalledTimes(1);
    // 60 min token, refreshed 1 min before exp.
    tokens = [jwt(Date.now() + 120 * MINUTE, 1)];
    jest.advanceTimersByTime(59 * MINUTE - 1);
    await flush();
    expect(getToken).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    await flush();
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(socket.actions('auth').map((m) => m.token)).toEqual([expect.any(String), tokens[0]]);
    expect(tokenExpiry(socket.actions('auth')[1]!.token)).toBe(Date.now() + 61 * MINUTE);
    socket.push(authOk('C1'));
    expect(of('auth.ok').map((a) => a.renewed)).toEqual([false, true]);
    expect(socket.actions('subscribe')).toHaveLength(1); // the subscriptions live on: not sent again
    expect(FakeSocket.all).toHaveLength(1);
    expect(client!.stats().tokenRefreshes).toBe(1);

    // The server says the token ran out anyway: a new socket at once, with a fresh token.
    tokens = [jwt(Date.now() + 180 * MINUTE, 2)];
    socket.push({ type: 'auth.expired', data: { expiredAt: new Date().toISOString() } });
    expect(of('auth.expired')).toHaveLength(1);
    jest.advanceTimersByTime(0);
    expect(FakeSocket.all).toHaveLength(2);
    const next = await accept();
    expect(next.actions('auth')[0]!.token).toBe(tokens[0]);
    expect(next.actions('subscribe')).toEqual([{ action: 'subscribe', auctionId: 3 }]);
  });

  it('asks again when getToken has nothing fresher yet, halfway to the expiry', async () => {
    const getToken = jest.fn(() => tokens[0]);
    start({ getToken });
    const socket = await accept();
    jest.advanceTimersByTime(59 * MINUTE);
    await flush();
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(socket.actions('auth')).toHaveLength(1); // the same token is not sent again
    tokens = [jwt(Date.now() + 60 * MINUTE, 1)];
    jest.advanceTimersByTime(30_000);
    await flush();
    expect(getToken).toHaveBeenCalledTimes(3);
    expect(socket.actions('auth')).toHaveLength(2);
  });

  it('pause() closes the socket and stays away; resume() reconnects with since and subscribes again', async () => {
    start();
    client!.subscribe(9);
    const socket = await accept();
    socket.push(snapshot(9, 2));
    socket.push(notification(5));
    client!.pause();
    expect(socket.closedWith).toBe(1000);
    expect(client!.status).toBe('paused');
    jest.advanceTimersByTime(60 * MINUTE);
    expect(FakeSocket.all).toHaveLength(1);
    expect(socket.actions('ping')).toHaveLength(0);
    client!.resume();
    expect(FakeSocket.all).toHaveLength(2);
    const next = await accept();
    expect(next.actions('auth')[0]).toMatchObject({ since: 5 });
    expect(next.actions('subscribe')).toEqual([{ action: 'subscribe', auctionId: 9 }]);
    next.push(snapshot(9, 4)); // two bids happened while paused: the snapshot carries them
    next.push(bid(9, 5));
    expect(of('snapshot').map((s) => s.seq)).toEqual([2, 4]);
    expect(of('bid').map((b) => b.data.seq)).toEqual([5]);
    expect(statuses).toEqual(['connecting', 'connected', 'paused', 'reconnecting', 'connected']);
  });

  it('hands on bids once and in order: drops repeats, holds bids after a gap until a fresh snapshot', async () => {
    start();
    client!.subscribe(1);
    const socket = await accept();
    socket.push(bid(1, 4)); // before the snapshot: held
    socket.push(snapshot(1, 3));
    socket.push(bid(1, 4)); // a repeat
    socket.push(bid(1, 6)); // 5 is missing
    expect(of('bid').map((b) => b.data.seq)).toEqual([4]);
    expect(of('gap')).toEqual([{ auctionId: 1, expected: 5, got: 6 }]);
    expect(socket.actions('subscribe')).toHaveLength(2); // asked for a fresh snapshot
    socket.push(bid(1, 7));
    socket.push(snapshot(1, 5));
    expect(of('snapshot').map((s) => s.seq)).toEqual([3, 5]);
    expect(of('bid').map((b) => b.data.seq)).toEqual([4, 6, 7]);
    expect(client!.stats()).toMatchObject({ duplicates: 1, gaps: 1, ignored: 0 });
  });

  it('ignores and counts bad input from the server, never throwing into the application', async () => {
    start();
    client!.subscribe(1);
    const problems: string[] = [];
    client!.on('problem', (p) => problems.push(p));
    const socket = await accept();
    socket.push(snapshot(1, 0));
    const bad: unknown[] = [
      '{"type":"bid",', // malformed JSON
      'not json at all',
      '[1,2,3]',
      'null',
      { type: 'surprise', data: {} }, // unknown type
      { type: 'bid', data: bid(2, 1).data, id: 'x', ts: 'x' }, // an auction not watched
      { type: 'auction.closed', id: 'y', ts: 'x', data: { auctionId: 2, seq: 0, winnerId: null, finalPriceCents: 0 } },
      { type: 'subscribed', data: { auctionId: 2, seq: 0, auction: {} } },
      { type: 'bid', data: { ...bid(1, 1).data, seq: 'one' }, id: 'z', ts: 'x' }, // malformed seq
      { type: 'bid', data: bid(1, 1).data }, // no id
      { type: 'notification' }, // no data
      { no: 'type' },
    ];
    expect(() => bad.forEach((frame) => socket.push(frame))).not.toThrow();
    socket.onmessage?.({ data: new ArrayBuffer(4) }); // a binary frame
    expect(client!.stats().ignored).toBe(bad.length + 1);
    expect(problems.filter((p) => p.startsWith('ignored'))).toHaveLength(bad.length + 1);
    expect(of('bid')).toEqual([]);
    // A listener that throws is the application's bug: reported, and the client carries on.
    const reportError = jest.fn();
    (globalThis as any).reportError = reportError;
    try {
      client!.on('bid', () => {
        throw new Error('listener bug');
      });
      expect(() => socket.push(bid(1, 1))).not.toThrow();
      socket.push(bid(1, 2));
      expect(reportError).toHaveBeenCalledTimes(2);
      expect(of('bid').map((b) => b.data.seq)).toEqual([1, 2]);
      expect(client!.status).toBe('connected');
    } finally {
      delete (globalThis as any).reportError;
    }
  });

  it('retries auth on the same socket after a 429/503 or a gateway error, and stops after a second 401', async () => {
    const getToken = jest.fn(() => tokens[0]);
    start({ getToken, random: () => 0.999 });
    const socket = last();
    socket.open();
    await flush();
    socket.push({ type: 'auth.error', data: { status: 503, message: 'try later' } });
    socket.push({ message: 'Internal server error', connectionId: 'C', requestId: 'r' });
    jest.advanceTimersByTime(3000);
    await flush();
    expect(socket.actions('auth').length).toBeGreaterThanOrEqual(2);
    expect(FakeSocket.all).toHaveLength(1);
    socket.push({ type: 'auth.error', data: { status: 401, message: 'bad token' } });
    await flush();
    // getToken gave the same token: refused for good.
    expect(of('auth.error')).toEqual([{ status: 401, message: 'the token was refused' }]);
    expect(client!.status).toBe('stopped');
    jest.advanceTimersByTime(60 * MINUTE);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('passes notification.read and auth.ok.unread on, and delivers auction.closed once', async () => {
    start();
    client!.subscribe(4);
    const socket = await accept();
    socket.push(snapshot(4, 1));
    socket.push({ type: 'notification.read', data: { upTo: 12 } });
    const closed = {
      type: 'auction.closed',
      id: 'c4',
      ts: 'x',
      data: { auctionId: 4, seq: 1, winnerId: 2, finalPriceCents: 5 },
    };
    socket.push(closed);
    socket.push(closed);
    expect(of('notification.read')).toEqual([{ upTo: 12 }]);
    expect(of('auth.ok')[0]).toMatchObject({ unread: 0, renewed: false });
    expect(of('auction.closed')).toHaveLength(1);
    expect(client!.stats().duplicates).toBe(1);
  });
});
