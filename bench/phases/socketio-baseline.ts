/** The Socket.IO baseline server process and its side of the fan-out. */
import { fork, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { requestJson } from '../rest.js';
import type { FanOutTarget } from './fan-out.js';

export interface SocketIoBaseline {
  url: string;
  pid: number;
  target: FanOutTarget;
  stop(): Promise<void>;
}

export async function startSocketIoBaseline(): Promise<SocketIoBaseline> {
  const script = fileURLToPath(new URL('../socketio/socketio-server.js', import.meta.url));
  const guard = new URL('../stack/exit-with-parent.js', import.meta.url).href;
  const child: ChildProcess = fork(script, [], {
    execArgv: ['--import', guard],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the Socket.IO server did not start within 10 s')), 10_000);
    child.once('message', (message: { type?: string; port?: number }) => {
      clearTimeout(timer);
      if (message.type === 'listening' && message.port) resolve(message.port);
      else reject(new Error('unexpected message from the Socket.IO server'));
    });
    child.once('exit', (code) => reject(new Error(`the Socket.IO server exited (${code})`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pid: child.pid ?? 0,
    target: {
      system: 'socketio',
      send: async (amountCents) => {
        await requestJson(url, 'POST', '/bids', { body: { amountCents }, expect: [201] });
      },
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.disconnect();
      await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(5_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
