import { WebSocket } from 'ws';
import type { ConnectionFacts } from '../events/request-context.js';
import type { GatewayLimits } from '../limits.js';

export const GOING_AWAY = 1001;

/**
 * One client connection: its facts (id, identity, connectedAt), activity, the quota timers, and a
 * queue that runs its messages one at a time, in order — as API Gateway invokes a connection's routes.
 */
export class GatewayConnection {
  lastActiveAt: number;
  /** Set when the gateway itself closes the socket, so `$disconnect` reports what the gateway sent. */
  closedByGateway: { code: number; reason: string } | undefined;
  private tail: Promise<void> = Promise.resolve();
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

  /** Runs `task` after every task queued before it; a failing task does not stop the queue. */
  enqueue(task: () => Promise<void>): void {
    this.tail = this.tail.then(task).catch(() => undefined);
  }

  close(code: number, reason: string): void {
    if (this.closedByGateway) return;
    this.closedByGateway = { code, reason };
    this.stopTimers();
    this.socket.close(code, reason);
  }

  stopTimers(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.lifetimeTimer);
  }
}
