/**
 * The graceful stop of a copy behind a load balancer (contract §9): take the copy out of rotation before
 * closing a single connection, so no request meets a connection closing under it.
 *
 * Node's `server.close()` closes every keep-alive connection that is idle at that instant — but the
 * balancer may be sending a request on one at that very instant, and sees the connection close with no
 * answer (HAProxy then closes the client's connection without a response: the client cannot tell whether
 * its request ran). And a connection with a request in flight is answered `Connection: keep-alive` and left
 * open, so `close()` waits for the keep-alive timeout (65 s) and the copy is SIGKILLed instead of stopping.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** What GET /health answers while draining (Nest's error shape, contract §4). */
const DRAINING_BODY = JSON.stringify({ message: 'Shutting down', error: 'Service Unavailable', statusCode: 503 });

export class HttpDrain {
  private draining = false;

  /** Wraps the server's request listeners (Express): call once, before the server listens. */
  constructor(
    server: Server,
    private readonly healthPath = '/health',
  ) {
    const listeners = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      if (this.draining) {
        // Every answer closes its connection: the balancer never sends another request on it, so the
        // connection closes after an answer, never under a request.
        response.setHeader('Connection', 'close');
        if (request.method === 'GET' && request.url?.split('?')[0] === this.healthPath) {
          // The balancer's health check fails: it stops sending this copy new requests.
          response.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8' }).end(DRAINING_BODY);
          return;
        }
      }
      for (const listener of listeners) listener.call(server, request, response);
    });
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Fails the health check and closes each connection after its next answer, then waits `ms` for the
   * balancer to take the copy out of rotation; requests keep being served meanwhile. After this,
   * `server.close()` closes only connections the balancer no longer uses.
   */
  async drain(ms: number): Promise<void> {
    this.draining = true;
    if (ms > 0) await sleep(ms);
  }
}
