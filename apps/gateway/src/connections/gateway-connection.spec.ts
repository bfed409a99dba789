import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it, jest } from '@jest/globals';
import { WebSocket } from 'ws';
import { DEFAULT_LIMITS, type GatewayLimits } from '../limits.js';
import { GatewayConnection } from './gateway-connection.js';

/** Records what the connection hands to `ws` (the socket itself is outside the unit). */
function fakeSocket() {
  const calls: string[] = [];
  const socket = {
    readyState: WebSocket.OPEN as number,
    bufferedAmount: 10,
    send: (data: Buffer | string, options: { binary: boolean }) =>
      calls.push(`${options.binary ? 'binary' : 'text'}:${data.toString()}`),
    close: (code: number, reason: string) => {
      calls.push(`close:${code}:${reason}`);
      socket.readyState = WebSocket.CLOSING;
    },
    terminate: () => {
      calls.push('terminate');
      socket.readyState = WebSocket.CLOSED;
    },
  };
  return { socket, calls };
}

function connectionWith(
  socket: ReturnType<typeof fakeSocket>['socket'],
  limits: Partial<GatewayLimits> = {},
): GatewayConnection {
  const facts = {
    connectionId: 'abc=',
    connectedAt: Date.now(),
    identity: { sourceIp: '127.0.0.1', userAgent: '' },
    domainName: 'localhost',
    stage: 'dev',
    apiId: 'api',
  };
  return new GatewayConnection(socket as unknown as WebSocket, facts, { ...DEFAULT_LIMITS, ...limits });
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

  it('refuses a push that would pass maxBufferedBytes, and cuts a reader still over half of it slowReaderTimeoutMs later', () => {
    jest.useFakeTimers();
    try {
      const { socket, calls } = fakeSocket();
      const connection = connectionWith(socket, { maxBufferedBytes: 1000, slowReaderTimeoutMs: 100 });
      socket.bufferedAmount = 900;
      expect(connection.admit(100)).toBe(true);
      expect(connection.admit(101)).toBe(false);
      jest.advanceTimersByTime(99);
      expect(calls).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(calls).toEqual(['terminate']);
      expect(connection.closedByGateway).toEqual({ code: 1008, reason: 'Policy Violation' });
      expect(connection.isOpen).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps a reader that has caught up by then', () => {
    jest.useFakeTimers();
    try {
      const { socket, calls } = fakeSocket();
      const connection = connectionWith(socket, { maxBufferedBytes: 1000, slowReaderTimeoutMs: 100 });
      socket.bufferedAmount = 950;
      expect(connection.admit(100)).toBe(false);
      socket.bufferedAmount = 400;
      jest.advanceTimersByTime(1000);
      expect(calls).toEqual([]);
      expect(connection.admit(100)).toBe(true);
      connection.stopTimers();
    } finally {
      jest.useRealTimers();
    }
  });

  it('closes at once when a frame of its own would pass maxBufferedBytes, dropping what was queued', async () => {
    const { socket, calls } = fakeSocket();
    const connection = connectionWith(socket, { maxBufferedBytes: 1000 });
    socket.bufferedAmount = 900;
    connection.send('x'.repeat(50), false);
    connection.send('y'.repeat(51), false);
    await nextTurn();
    expect(calls).toEqual(['terminate']);
    expect(connection.closedByGateway?.code).toBe(1008);
  });

  it('queues client messages up to maxQueuedMessages and maxQueuedBytes, counting only those still waiting', async () => {
    const { socket } = fakeSocket();
    const connection = connectionWith(socket, { maxQueuedMessages: 2, maxQueuedBytes: 300 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    const task = (name: string) => async () => {
      ran.push(name);
      await gate;
    };
    expect(connection.enqueueMessage(100, task('running'))).toBe(true);
    await nextTurn(); // the first one starts: it no longer waits
    expect(connection.enqueueMessage(100, task('a'))).toBe(true);
    expect(connection.enqueueMessage(201, task('too big'))).toBe(false);
    expect(connection.enqueueMessage(200, task('b'))).toBe(true);
    expect(connection.enqueueMessage(1, task('too many'))).toBe(false);
    release();
    await nextTurn();
    expect(ran).toEqual(['running', 'a', 'b']);
    expect(connection.enqueueMessage(300, task('c'))).toBe(true);
    connection.stopTimers();
  });
});
