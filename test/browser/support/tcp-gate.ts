/**
 * A TCP pass-through in front of the gateway that a test can close to new connections. With it the
 * test decides when a disconnected page may come back, so "sent while she was away" is certain, not a race.
 */
import { createServer, type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpGate {
  port: number;
  /** Refuse new connections (existing ones keep flowing). */
  pause(): void;
  resume(): void;
  /** How many connection attempts were refused while paused. */
  readonly refused: number;
  close(): Promise<void>;
}

export async function startTcpGate(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpGate> {
  const sockets = new Set<Socket>();
  let paused = false;
  let refused = 0;
  const server = createServer((client) => {
    if (paused) {
      refused++;
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    pause: () => void (paused = true),
    resume: () => void (paused = false),
    get refused() {
      return refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
