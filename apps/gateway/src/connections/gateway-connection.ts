import { WebSocket } from 'ws';
import type { ConnectionFacts } from '../events/request-context.js';
import type { GatewayLimits } from '../limits.js';
import { TurnBatch } from '../turn-batch.js';

export const GOING_AWAY = 1001;
export const POLICY_VIOLATION = 1008;

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
 * Both directions are bounded: the message queue by `maxQueuedMessages` / `maxQueuedBytes`, what waits
 * for the client to read by `maxBufferedBytes` (a client that stays over it is closed, see `admit`).
 */
export class GatewayConnection {
  lastActiveAt: number;
  /** Set when the gateway itself closes the socket, so `$disconnect` reports what the gateway sent. */
  closedByGateway: { code: number; reason: string } | undefined;
  private tail: Promise<void> = Promise.resolve();
  private pending: Frame[] | undefined;
  private pendingBytes = 0;
  /** Client messages waiting for their route, and their bytes. */
  private queuedMessages = 0;
  private queuedBytes = 0;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly lifetimeTimer: NodeJS.Timeout;
  /** Running from the first refused push until the client has read enough (or is closed). */
  private slowReaderTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: WebSocket,
    readonly facts: ConnectionFacts,
    private readonly limits: GatewayLimits,
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

  /**
   * Whether a push of `bytes` fits in what waits for this client (`maxBufferedBytes`). When it does not,
   * the push is to be refused (429) and the slow-reader clock starts: a client still holding more than
   * half the bound unread `slowReaderTimeoutMs` later is closed.
   */
  admit(bytes: number): boolean {
    if (this.bufferedAmount + bytes <= this.limits.maxBufferedBytes) return true;
    if (this.slowReaderTimer === undefined && this.isOpen) {
      this.slowReaderTimer = setTimeout(() => {
        this.slowReaderTimer = undefined;
        if (this.bufferedAmount > this.limits.maxBufferedBytes / 2) this.dropSlowReader();
      }, this.limits.slowReaderTimeoutMs);
      this.slowReaderTimer.unref();
    }
    return false;
  }

  /**
   * Queues one frame to the client (written at the end of this event-loop turn); nothing once the
   * connection is closing. A frame that would pass `maxBufferedBytes` cannot be refused to anyone (it is
   * the gateway's own: a route's answer, an error frame), so it closes the connection instead.
   */
  send(data: Buffer | string, binary: boolean): void {
    if (!this.isOpen) return;
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (this.bufferedAmount + bytes > this.limits.maxBufferedBytes) return this.dropSlowReader();
    if (this.pending === undefined) {
      this.pending = [];
      withPendingFrames.add(this);
    }
    this.pending.push({ data, binary });
    this.pendingBytes += bytes;
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

  /** Runs `task` after every task queued before it; a failing task does not stop the queue. Unbounded: for the gateway's own tasks. */
  enqueue(task: () => Promise<void>): void {
    this.tail = this.tail.then(task).catch(() => undefined);
  }

  /**
   * Queues a client message of `bytes` for its route, like `enqueue`, unless `maxQueuedMessages` messages
   * or `maxQueuedBytes` bytes are already waiting: then nothing is queued and the answer is false.
   */
  enqueueMessage(bytes: number, task: () => Promise<void>): boolean {
    if (this.queuedMessages >= this.limits.maxQueuedMessages || this.queuedBytes + bytes > this.limits.maxQueuedBytes)
      return false;
    this.queuedMessages += 1;
    this.queuedBytes += bytes;
    this.enqueue(() => {
      this.queuedMessages -= 1;
      this.queuedBytes -= bytes;
      return task();
    });
    return true;
  }

  close(code: number, reason: string): void {
    if (this.closedByGateway) return;
    this.flush();
    this.closedByGateway = { code, reason };
    this.stopTimers();
    this.socket.close(code, reason);
  }

  /**
   * Closes a client that does not read: what waits for it is dropped (it would never be read, and it is
   * what the bound protects), and the socket is cut rather than left waiting for a close handshake the
   * client would not read either. `$disconnect` reports 1008 "Policy Violation".
   */
  private dropSlowReader(): void {
    if (this.closedByGateway) return;
    this.pending = undefined;
    this.pendingBytes = 0;
    this.closedByGateway = { code: POLICY_VIOLATION, reason: 'Policy Violation' };
    this.stopTimers();
    this.socket.terminate();
  }

  stopTimers(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.lifetimeTimer);
    clearTimeout(this.slowReaderTimer);
    this.slowReaderTimer = undefined;
  }
}
