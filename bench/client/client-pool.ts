/** The harness's side of the load clients: forks them, sends commands, gathers their answers. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientCommand, ClientReply } from './protocol.js';

type Pending = {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (done: number) => void;
};

class LoadClient {
  private readonly pending = new Map<number, Pending>();
  private exited = false;

  constructor(
    readonly index: number,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: ClientReply) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      if (message.type === 'progress') return waiter.onProgress?.(message.done);
      this.pending.delete(message.id);
      if (message.type === 'done') waiter.resolve(message.result);
      else waiter.reject(new Error(`load client ${index}: ${message.message}`));
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const waiter of this.pending.values())
        waiter.reject(new Error(`load client ${index} exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request<T>(command: ClientCommand, onProgress?: (done: number) => void): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`load client ${this.index} is not running`));
    return new Promise<T>((resolve, reject) => {
      this.pending.set(command.id, { resolve: resolve as (value: unknown) => void, reject, onProgress });
      this.child.send(command);
    });
  }

  stop(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

let nextId = 1;

/** Several load-client processes driven as one. */
export class ClientPool {
  private constructor(readonly clients: LoadClient[]) {}

  static start(count: number): ClientPool {
    const script = fileURLToPath(new URL('./load-client.js', import.meta.url));
    const clients = Array.from(
      { length: count },
      (_, index) => new LoadClient(index, fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })),
    );
    return new ClientPool(clients);
  }

  get size(): number {
    return this.clients.length;
  }

  get pids(): number[] {
    return this.clients.map((client) => client.pid).filter((pid): pid is number => pid !== undefined);
  }

  /**
   * Sends each client its own command (built from its index) and waits for all answers.
   * `onProgress` gets the sum of the clients' progress counters.
   */
  all<T>(build: (index: number, id: number) => ClientCommand, onProgress?: (done: number) => void): Promise<T[]> {
    const progress = new Array<number>(this.clients.length).fill(0);
    return Promise.all(
      this.clients.map((client, index) =>
        client.request<T>(build(index, nextId++), (done) => {
          progress[index] = done;
          onProgress?.(progress.reduce((a, b) => a + b, 0));
        }),
      ),
    );
  }

  stop(): void {
    for (const client of this.clients) client.stop();
  }
}
