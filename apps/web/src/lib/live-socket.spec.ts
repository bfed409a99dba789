import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { WebSocket, WebSocketServer } from 'ws';
import type { ConnectionStatus } from './live-socket.js';
import { LiveSocket } from './live-socket.js';

/** A real WebSocket server standing in for the gateway; each test scripts its answers. */
class FakeGateway {
  readonly server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  readonly received: { connection: number; message: Record<string, unknown> }[] = [];
  readonly sockets: WebSocket[] = [];
  answer: (message: Record<string, unknown>, socket: WebSocket, connection: number) => void = () => {};

  constructor() {
    this.server.on('connection', (socket) => {
      const connection = this.sockets.push(socket);
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as Record<string, unknown>;
        this.received.push({ connection, message });
        this.answer(message, socket, connection);
      });
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.server.close();
    await once(this.server, 'close');
  }
}

function authOk(socket: WebSocket, connection: number): void {
  socket.send(
    JSON.stringify({
      type: 'auth.ok',
      data: { userId: 1, connectionId: `C${connection}`, replayed: 0, recovered: true },
    }),
  );
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe(LiveSocket.name, () => {
  let gateway: FakeGateway;
  let socket: LiveSocket | undefined;
  let since: number | null;
  let statuses: ConnectionStatus[];

  const start = (overrides: Partial<ConstructorParameters<typeof LiveSocket>[0]> = {}): LiveSocket => {
    socket = new LiveSocket({
      url: gateway.url,
      getToken: () => 'jwt-1',
      since: () => since,
      pingIntervalMs: 60_000,
      pongTimeoutMs: 60_000,
      minReconnectDelayMs: 20,
      maxReconnectDelayMs: 100,
      WebSocket,
      ...overrides,
    });
    socket.status.subscribe((s) => statuses.push(s));
    socket.start();
    return socket;
  };

  beforeEach(async () => {
    gateway = new FakeGateway();
    await once(gateway.server, 'listening');
    since = null;
    statuses = [];
  }, 120_000);

  afterEach(async () => {
    socket?.stop();
    await gateway.close();
  }, 120_000);

  it('authenticates on open, then re-authenticates with the latest since after the gateway drops it', async () => {
    gateway.answer = (m, s, c) => m.action === 'auth' && authOk(s, c);
    const live = start();
    const authed: string[] = [];
    live.authenticated.on((d) => authed.push(d.connectionId));
    await until(() => authed.length === 1, 'first auth.ok');
    expect(gateway.received[0]!.message).toEqual({ action: 'auth', token: 'jwt-1' });
    expect(live.status.value).toBe('connected');

    since = 42;
    gateway.sockets[0]!.close(1001, 'Going away');
    await until(() => authed.length === 2, 'auth.ok after reconnect');
    expect(statuses).toContain('reconnecting');
    expect(gateway.received.at(-1)).toEqual({ connection: 2, message: { action: 'auth', token: 'jwt-1', since: 42 } });
    expect(live.connectionId).toBe('C2');
  });

  it('subscribes to watched auctions after every auth.ok (subscriptions end with their connection) and unsubscribes when unwatched', async () => {
    gateway.answer = (m, s, c) => m.action === 'auth' && authOk(s, c);
    const live = start();
    const stopRoom = live.watch([7]);
    const stopList = live.watch(['7', 8]);
    await until(() => gateway.received.filter((r) => r.message.action === 'subscribe').length === 2, 'two subscribes');
    const subscribes = (connection: number) =>
      gateway.received
        .filter((r) => r.connection === connection && r.message.action === 'subscribe')
        .map((r) => r.message.auctionId);
    expect(subscribes(1)).toEqual([7, 8]);

    gateway.sockets[0]!.close(1001, 'Going away');
    await until(() => subscribes(2).length === 2, 'subscribes on the new connection');
    expect(subscribes(2)).toEqual([7, 8]);

    stopList(); // 7 is still watched by the room
    stopRoom();
    stopRoom(); // twice is once
    await until(
      () => gateway.received.filter((r) => r.message.action === 'unsubscribe').length === 2,
      'two unsubscribes',
    );
    expect(gateway.received.filter((r) => r.message.action === 'unsubscribe').map((r) => r.message.auctionId)).toEqual([
      8, 7,
    ]);
  });

  it('pings on its interval and is satisfied by pongs', async () => {
    gateway.answer = (m, s, c) => (m.action === 'auth' ? authOk(s, c) : s.send(JSON.stringify({ type: 'pong' })));
    start({ pingIntervalMs: 20, pongTimeoutMs: 2_000 });
    await until(() => gateway.received.filter((r) => r.message.action === 'ping').length >= 3, 'three pings');
    expect(gateway.sockets).toHaveLength(1); // every ping answered: never replaced
  });

  it('replaces a socket that stops answering pings', async () => {
    gateway.answer = (m, s, c) => m.action === 'auth' && authOk(s, c);
    start({ pingIntervalMs: 20, pongTimeoutMs: 40 });
    await until(
      () => gateway.received.some((r) => r.connection === 2 && r.message.action === 'auth'),
      'auth on a second connection',
    );
    expect(gateway.received.filter((r) => r.connection === 1 && r.message.action === 'ping').length).toBeGreaterThan(0);
  });

  it('stops for good on auth.error 401 (the token is dead) instead of retrying', async () => {
    gateway.answer = (_m, s) =>
      s.send(JSON.stringify({ type: 'auth.error', data: { status: 401, message: 'jwt expired' } }));
    const live = start();
    const rejected: number[] = [];
    live.rejected.on((d) => rejected.push(d.status));
    await until(() => rejected.length === 1, 'rejection');
    expect(live.status.value).toBe('stopped');
    await new Promise((r) => setTimeout(r, 150));
    expect(gateway.received.filter((r) => r.message.action === 'auth')).toHaveLength(1);
  });

  it('retries auth on the same socket after a 503 or a gateway "Internal server error" frame', async () => {
    let attempts = 0;
    gateway.answer = (m, s, c) => {
      if (m.action !== 'auth') return;
      attempts++;
      if (attempts === 1)
        s.send(JSON.stringify({ type: 'auth.error', data: { status: 503, message: 'API unreachable' } }));
      else if (attempts === 2)
        s.send(JSON.stringify({ message: 'Internal server error', connectionId: 'x', requestId: 'y' }));
      else authOk(s, c);
    };
    const live = start();
    await until(() => live.status.value === 'connected', 'connected');
    expect(attempts).toBe(3);
    expect(gateway.sockets).toHaveLength(1);
  });

  it('hands pushed events of watched auctions to listeners, after their snapshot, and ignores frames that are not JSON', async () => {
    const bid = (auctionId: number, seq: number) =>
      JSON.stringify({
        type: 'bid',
        id: `e${auctionId}-${seq}`,
        ts: 't',
        data: { auctionId, bidId: seq, seq, amountCents: 300 + seq, bidderId: 3, bidderName: 'Bob', createdAt: 't' },
      });
    gateway.answer = (m, s, c) => {
      if (m.action === 'auth') authOk(s, c);
      if (m.action !== 'subscribe') return;
      s.send('not json');
      s.send(bid(2, 1)); // an auction this page does not watch
      s.send(JSON.stringify({ type: 'subscribed', data: { auctionId: 1, seq: 4, auction: { id: 1 } } }));
      s.send(bid(1, 4)); // already in the snapshot
      s.send(bid(1, 5));
    };
    const live = start();
    live.watch([1]);
    const types: string[] = [];
    live.events.on((e) => types.push(e.type));
    await until(() => types.length === 2, 'the snapshot and the bid');
    expect(types).toEqual(['subscribed', 'bid']);
    expect(live.client.stats()).toMatchObject({ ignored: 2, duplicates: 1 });
  });

  it('shows offline while the browser is offline (the client pauses) and reconnects when it is back', async () => {
    gateway.answer = (m, s, c) => m.action === 'auth' && authOk(s, c);
    const target = new EventTarget();
    const globals = globalThis as any;
    const saved = { addEventListener: globals.addEventListener, removeEventListener: globals.removeEventListener };
    globals.addEventListener = target.addEventListener.bind(target);
    globals.removeEventListener = target.removeEventListener.bind(target);
    try {
      const live = start();
      await until(() => live.status.value === 'connected', 'connected');
      target.dispatchEvent(new Event('offline'));
      expect(live.status.value).toBe('offline');
      target.dispatchEvent(new Event('online'));
      await until(() => live.status.value === 'connected', 'connected again');
      expect(gateway.sockets).toHaveLength(2);
    } finally {
      Object.assign(globals, saved);
    }
  });
});
