import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { GatewayErrorFrame, WebSocketIdentity } from '@gavel/contracts';
import type { ConnectionRegistry } from './connections/connection-registry.js';
import { FrameSizeGuard } from './connections/frame-size-guard.js';
import { GatewayConnection } from './connections/gateway-connection.js';
import { ConnectionRateLimiter } from './connection-rate-limiter.js';
import { buildConnectEvent } from './events/connect-event.js';
import { buildDisconnectEvent } from './events/disconnect-event.js';
import { buildMessageEvent } from './events/message-event.js';
import type { ConnectionFacts } from './events/request-context.js';
import { newAwsId } from './ids.js';
import { invokeRoute, isSuccess } from './invoke-route.js';
import type { GatewayLimits } from './limits.js';
import type { GatewayLogger } from './logger.js';
import type { GatewayRoute, RouteSelector } from './route-selector.js';

const MESSAGE_TOO_BIG = 1009;
const UNSUPPORTED_DATA = 1003;

export interface WebSocketGatewayOptions {
  stage: string;
  apiId: string;
  /** Fixed domain name for events; by default the Host the client connected to. */
  domainName?: string;
  region: string;
  limits: GatewayLimits;
  routes: RouteSelector;
  registry: ConnectionRegistry;
  logger: GatewayLogger;
}

/** The WebSocket side of the gateway: handshake (with `$connect`), route dispatch, close (with `$disconnect`). */
export class WebSocketGateway {
  private readonly wss: WebSocketServer;
  private readonly rateLimiter: ConnectionRateLimiter;
  /** `$disconnect` invocations still running, so shutdown can let them finish. */
  private readonly pendingDisconnects = new Set<Promise<void>>();

  constructor(private readonly options: WebSocketGatewayOptions) {
    // ws enforces the message limit (its maxPayload counts reassembled fragments); FrameSizeGuard the frame limit.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.maxMessageBytes,
      clientTracking: false,
    });
    this.rateLimiter = new ConnectionRateLimiter(options.limits.newConnectionsPerSecond);
  }

  /** Handles an HTTP upgrade; rejects it the way API Gateway would. */
  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const { stage, logger } = this.options;
    const url = new URL(request.url ?? '/', 'http://gateway');
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== '' && path !== `/${stage}`)
      return rejectHandshake(socket, 403, '{"message":"Forbidden"}', logger, `unknown path ${url.pathname}`);
    if (!this.rateLimiter.tryAcquire())
      return rejectHandshake(socket, 429, '{"message":"Too Many Requests"}', logger, 'new connection rate');

    const facts: ConnectionFacts = {
      connectionId: newAwsId(),
      connectedAt: Date.now(),
      identity: identityOf(request),
      domainName: this.options.domainName ?? request.headers.host ?? 'localhost',
      stage,
      apiId: this.options.apiId,
    };

    const connectRoute = this.options.routes.connect;
    if (connectRoute) {
      const outcome = await invokeRoute(
        connectRoute,
        buildConnectEvent(facts, request, url.searchParams),
        this.options.limits.integrationTimeoutMs,
        this.options.region,
      );
      if (outcome.kind !== 'ok') {
        if (outcome.kind === 'error') logger.error(`$connect of ${facts.connectionId} failed`, outcome.error);
        return rejectHandshake(socket, 500, '{"message":"Internal server error"}', logger, `$connect ${outcome.kind}`);
      }
      if (!isSuccess(outcome.result)) {
        const status = outcome.result?.statusCode ?? 500;
        return rejectHandshake(socket, status, outcome.result?.body ?? '', logger, `$connect answered ${status}`);
      }
      if (socket.destroyed) return; // the client gave up while $connect ran
    }

    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, socket, facts));
  }

  private accept(ws: WebSocket, rawSocket: Duplex, facts: ConnectionFacts): void {
    const { registry, limits, logger } = this.options;
    const connection = new GatewayConnection(ws, facts, limits);
    registry.add(connection);
    logger.connected(facts.connectionId, facts.identity.sourceIp);

    const guard = new FrameSizeGuard(limits.maxFrameBytes, () => connection.close(MESSAGE_TOO_BIG, 'Message too big'));
    // Prepended so the guard sees each chunk before ws parses (and possibly dispatches) it.
    rawSocket.prependListener('data', (chunk: Buffer) => guard.push(chunk));

    /** Messages refused in a row because the queue was full (logged once per run). */
    let throttled = 0;

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!connection.isOpen) return;
      // AWS docs: WebSocket APIs reject binary frames from clients and disconnect them with 1003.
      if (isBinary) return connection.close(UNSUPPORTED_DATA, 'Binary frames are not supported');
      connection.touch();
      const bytes = toBuffer(data);
      if (connection.enqueueMessage(bytes.length, () => this.dispatch(connection, bytes.toString('utf8')))) {
        throttled = 0;
        return;
      }
      // The queue is full (the client sends faster than its routes run): not routed, and the client is
      // told the way API Gateway answers a throttled request. A client that does not read these either is
      // closed once they fill its outgoing bound.
      if (throttled++ === 0) logger.routed(facts.connectionId, '(queue full)', 'Too Many Requests', 0);
      this.sendGatewayError(connection, 'Too Many Requests', newAwsId());
    });
    ws.on('ping', () => connection.touch());
    ws.on('error', (error) => logger.error(`connection ${facts.connectionId}`, error));
    ws.on('close', (code: number, reason: Buffer) => {
      connection.stopTimers();
      registry.remove(connection);
      // A close the gateway started reports the code it sent; the client's echo may differ.
      const closed = connection.closedByGateway ?? { code, reason: reason.toString() };
      logger.disconnected(facts.connectionId, closed.code, closed.reason);
      const route = this.options.routes.disconnect;
      if (route) {
        const done = new Promise<void>((resolve) =>
          connection.enqueue(() => this.runDisconnect(route, connection, closed.code, closed.reason).finally(resolve)),
        );
        this.pendingDisconnects.add(done);
        void done.then(() => this.pendingDisconnects.delete(done));
      }
    });
  }

  private async dispatch(connection: GatewayConnection, body: string): Promise<void> {
    const route = this.options.routes.select(body);
    if (!route) {
      // No matching route and no $default: API Gateway answers for itself.
      this.sendGatewayError(connection, 'Forbidden', newAwsId());
      this.options.logger.routed(connection.id, '(none)', 'Forbidden', 0);
      return;
    }
    const event = buildMessageEvent(connection.facts, route.routeKey, body);
    const started = performance.now();
    const outcome = await invokeRoute(route, event, this.options.limits.integrationTimeoutMs, this.options.region);
    const elapsed = Math.round(performance.now() - started);
    if (outcome.kind !== 'ok') {
      if (outcome.kind === 'error')
        this.options.logger.error(`route ${route.routeKey} of ${connection.id} threw`, outcome.error);
      this.sendGatewayError(connection, 'Internal server error', event.requestContext.requestId);
      this.options.logger.routed(
        connection.id,
        route.routeKey,
        outcome.kind === 'timeout' ? 'integration timeout' : 'error',
        elapsed,
      );
      return;
    }
    const answer = outcome.result?.body;
    if (route.twoWay && answer !== undefined && answer !== '') {
      if (outcome.result?.isBase64Encoded) connection.send(Buffer.from(answer, 'base64'), true);
      else connection.send(answer, false);
    }
    this.options.logger.routed(connection.id, route.routeKey, String(outcome.result?.statusCode ?? 200), elapsed);
  }

  private async runDisconnect(
    route: GatewayRoute,
    connection: GatewayConnection,
    code: number,
    reason: string,
  ): Promise<void> {
    const event = buildDisconnectEvent(connection.facts, code, reason);
    const started = performance.now();
    const outcome = await invokeRoute(route, event, this.options.limits.integrationTimeoutMs, this.options.region);
    if (outcome.kind === 'error') this.options.logger.error(`$disconnect of ${connection.id} threw`, outcome.error);
    this.options.logger.routed(
      connection.id,
      '$disconnect',
      outcome.kind === 'ok' ? String(outcome.result?.statusCode ?? 200) : outcome.kind,
      Math.round(performance.now() - started),
    );
  }

  private sendGatewayError(
    connection: GatewayConnection,
    message: GatewayErrorFrame['message'],
    requestId: string,
  ): void {
    const frame: GatewayErrorFrame = { message, connectionId: connection.id, requestId };
    connection.send(JSON.stringify(frame), false);
  }

  /**
   * Shutdown: closes every connection with 1001 "Going away", drops clients that do not finish the
   * close handshake within `closeGraceMs`, then waits (bounded) for the `$disconnect` handlers.
   */
  async closeAll(closeGraceMs = 2_000, disconnectGraceMs = 5_000): Promise<void> {
    const { registry } = this.options;
    for (const connection of registry.all()) connection.close(1001, 'Going away');
    this.wss.close();
    const deadline = Date.now() + closeGraceMs;
    while (registry.size > 0 && Date.now() < deadline) await sleep(20, undefined, { ref: false });
    for (const connection of registry.all()) connection.socket.terminate();
    await Promise.race([
      Promise.allSettled([...this.pendingDisconnects]),
      sleep(disconnectGraceMs, undefined, { ref: false }),
    ]);
  }
}

/**
 * sourceIp is the TCP peer: the local gateway is the edge, as API Gateway is on AWS. X-Forwarded-For
 * is deliberately ignored — any client could set it and pose as another address.
 */
function identityOf(request: IncomingMessage): WebSocketIdentity {
  const address = request.socket.remoteAddress ?? '';
  return {
    sourceIp: address.startsWith('::ffff:') ? address.slice(7) : address,
    userAgent: request.headers['user-agent'] ?? '',
  };
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function rejectHandshake(socket: Duplex, status: number, body: string, logger: GatewayLogger, reason: string): void {
  logger.rejected(reason, status);
  if (!socket.writable) return void socket.destroy();
  const length = Buffer.byteLength(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      `Connection: close\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n` +
      `x-amzn-RequestId: ${newAwsId()}\r\n\r\n${body}`,
  );
}
