import { WebSocket } from 'ws';
import type { ConnectionFacts } from '../events/request-context.js';
import type { GatewayLimits } from '../limits.js';
import { TurnBatch } from '../turn-batch.js';

export const GOING_AWAY = 1001;

/** Connections with frames waiting, written together at the end of the turn (see TurnBatch for why). */
const withPendingFrames = new TurnBatch<GatewayConnection>((connections) => {
  for (const connection of connections) connection.flush();
});

interface Frame {
  data: Buffer | string;
  binary: boolean;
}

/**
 * One client connection: its facts (id, identity, connectedAt), activity, the quota timers, a queue
 * that runs its messages one at a time, in order — as API Gateway invokes a connection's routes — and
 * the frames waiting for the end of the event-loop turn (see TurnBatch), written in the order sent.
 */
export class GatewayConnection {
  lastActiveAt: number;
  /** Set when the gateway itself closes the socket, so `$disconnect` reports what the gateway sent. */
  closedByGateway: { code: number; reason: string } | undefined;
  private tail: Promise<void> = Promise.resolve();
  private pending: Frame[] | undefined;
  private pendingBytes = 0;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly lifetimeTimer: NodeJS.Timeout;

  constructor(
    readonly socket: WebSocket,
    readonly facts: ConnectionFacts,
    limits: GatewayLimits,
  ) {
    this.lastActiveAt = facts.connectedAt;
    this.idleTimer = setTimeout(() => this.close(GOING_AWAY, 'Going away'), limits.idleTimeoutMs);
    this.lifetimeTimer = setTimeout(() => this.close(GOING_AWAY, 'Going away'), limits.maxConnectionDurationMs);
    this.idleTimer.unref();
    this.lifetimeTimer.unref();
  }

  get id(): string {
    return this.facts.connectionId;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN && this.closedByGateway === undefined;
  }

  /** The client sent something: it is active, and the idle timeout starts again. */
  touch(): void {
    this.lastActiveAt = Date.now();
    this.idleTimer.refresh();
  }

  /** Bytes sent to this client and not yet taken by the network (what `LimitExceededException` is judged by). */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount + this.pendingBytes;
  }

  /** Queues one frame to the client (written at the end of this event-loop turn); nothing once the connection is closing. */
  send(data: Buffer | string, binary: boolean): void {
    if (!this.isOpen) return;
    if (this.pending === undefined) {
      this.pending = [];
      withPendingFrames.add(this);
    }
    this.pending.push({ data, binary });
    this.pendingBytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  }

  /** Writes the queued frames (at the end of the turn, and before a close so nothing queued is overtaken). */
  flush(): void {
    const frames = this.pending;
    if (frames === undefined) return;
    this.pending = undefined;
    this.pendingBytes = 0;
    if (this.socket.readyState !== WebSocket.OPEN) return; // the client is gone: as on AWS, what was accepted is lost
    for (const frame of frames) this.socket.send(frame.data, { binary: frame.binary });
  }

  /** Runs `task` after every task queued before it; a failing task does not stop the queue. */
  enqueue(task: () => Promise<void>): void {
    this.tail = this.tail.then(task).catch(() => undefined);
  }

  close(code: number, reason: string): void {
    if (this.closedByGateway) return;
    this.flush();
    this.closedByGateway = { code, reason };
    this.stopTimers();
    this.socket.close(code, reason);
  }

  stopTimers(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.lifetimeTimer);
  }
}
