import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';
import { DEFAULT_LIMITS } from '../limits.js';
import { GatewayConnection } from './gateway-connection.js';

/** Records what the connection hands to `ws` (the socket itself is outside the unit). */
function fakeSocket() {
  const calls: string[] = [];
  const socket = {
    readyState: WebSocket.OPEN as number,
    bufferedAmount: 10,
    send: (data: Buffer | string, options: { binary: boolean }) => calls.push(`${options.binary ? 'binary' : 'text'}:${data.toString()}`),
    close: (code: number, reason: string) => {
      calls.push(`close:${code}:${reason}`);
      socket.readyState = WebSocket.CLOSING;
    },
  };
  return { socket, calls };
}

function connectionWith(socket: ReturnType<typeof fakeSocket>['socket']): GatewayConnection {
  const facts = { connectionId: 'abc=', connectedAt: Date.now(), identity: { sourceIp: '127.0.0.1', userAgent: '' }, domainName: 'localhost', stage: 'dev', apiId: 'api' };
  return new GatewayConnection(socket as unknown as WebSocket, facts, DEFAULT_LIMITS);
}

describe(GatewayConnection.name, () => {
  it('writes queued frames at the end of the turn, in the order they were sent', async () => {
    const { socket, calls } = fakeSocket();
    const connection = connectionWith(socket);
    connection.send('one', false);
    connection.send(Buffer.from('two'), true);
    expect(calls).toEqual([]);
    expect(connection.bufferedAmount).toBe(10 + 6);
    await nextTurn();
    expect(calls).toEqual(['text:one', 'binary:two']);
    expect(connection.bufferedAmount).toBe(10);
    connection.stopTimers();
  });

  it('lets no close overtake a frame that was sent before it', () => {
    const { socket, calls } = fakeSocket();
    const connection = connectionWith(socket);
    connection.send('last words', false);
    connection.close(1000, '');
    expect(calls).toEqual(['text:last words', 'close:1000:']);
    connection.send('too late', false);
    expect(calls).toHaveLength(2);
  });

  it('drops queued frames when the client closed before the end of the turn, as AWS drops them', async () => {
    const { socket, calls } = fakeSocket();
    const connection = connectionWith(socket);
    connection.send('lost', false);
    socket.readyState = WebSocket.CLOSED;
    await nextTurn();
    expect(calls).toEqual([]);
    connection.stopTimers();
  });
});
