/**
 * A WebSocket test client: collects every frame so tests can await them in order, and exposes the
 * close code/reason. Used by the gateway and whole-stack tests.
 */
import WebSocket, { type ClientOptions } from 'ws';

export interface Frame {
  text: string;
  binary: boolean;
}

export class TestSocket {
  private readonly frames: Frame[] = [];
  private readonly waiters: Array<(frame: Frame) => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const frame = {
        text: Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'),
        binary: isBinary,
      };
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Opens a socket; rejects with the HTTP status of a refused handshake (`error.status`). */
  static open(url: string, options: ClientOptions = {}): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { 'User-Agent': 'gavel-tests/1.0' }, ...options });
      const socket = new TestSocket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_req, res) => {
        ws.terminate();
        reject(Object.assign(new Error(`handshake refused with ${res.statusCode}`), { status: res.statusCode }));
      });
      ws.once('error', reject);
    });
  }

  /** The next frame (in arrival order). Fails after `timeoutMs` so a missing frame cannot hang a test. */
  nextFrame(timeoutMs = 5_000): Promise<Frame> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (frame: Frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.waiters.push(waiter);
    });
  }

  /** The next frame parsed as JSON. */
  async nextJson<T = Record<string, unknown>>(timeoutMs?: number): Promise<T> {
    return JSON.parse((await this.nextFrame(timeoutMs)).text) as T;
  }

  /** True when no frame arrives within `ms` (for "nothing is sent" assertions). */
  async silentFor(ms: number): Promise<boolean> {
    try {
      await this.nextFrame(ms);
      return false;
    } catch {
      return true;
    }
  }

  send(data: string | Buffer | Record<string, unknown>): void {
    this.ws.send(typeof data === 'object' && !Buffer.isBuffer(data) ? JSON.stringify(data) : data);
  }

  async close(code = 1000): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(code);
    await this.closed;
  }
}
