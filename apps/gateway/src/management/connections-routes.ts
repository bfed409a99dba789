import type { IncomingMessage, ServerResponse } from 'node:http';
import { isUtf8 } from 'node:buffer';
import type { ConnectionRegistry } from '../connections/connection-registry.js';
import type { GatewayLimits } from '../limits.js';
import type { GatewayLogger } from '../logger.js';
import { TurnBatch } from '../turn-batch.js';
import { sendEmpty, sendError, sendJson } from './aws-responses.js';
import type { SigV4Verifier } from './sigv4-verifier.js';

export interface ConnectionsRoutesOptions {
  stage: string;
  registry: ConnectionRegistry;
  verifier: SigV4Verifier;
  limits: GatewayLimits;
  logger: GatewayLogger;
}

const PREFIX = '/@connections/';
/** Bodies beyond this are not buffered (nor verified): they are answered 413 straight away. */
const HARD_BODY_CAP_FACTOR = 8;

/**
 * The management API on the gateway's port: POST / GET / DELETE `/@connections/{id}` and
 * `/{stage}/@connections/{id}`, SigV4-verified, answering with AWS's statuses, headers and bodies.
 */
export function createConnectionsRoutes(options: ConnectionsRoutesOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { stage, registry, verifier, limits, logger } = options;
  const stagePrefix = `/${stage}${PREFIX}`;
  const hardCap = limits.maxMessageBytes * HARD_BODY_CAP_FACTOR;
  // A POST adds its answer before queueing its frame, so a turn of pushes writes the answers, then the frames.
  const accepted = new TurnBatch<ServerResponse>((responses) => {
    for (const res of responses) if (!res.destroyed) sendEmpty(res, 200);
  });

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const rawId = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : path.startsWith(stagePrefix) ? path.slice(stagePrefix.length) : undefined;
    const method = req.method ?? 'GET';

    if (rawId === undefined || rawId === '' || rawId.includes('/') || (method !== 'POST' && method !== 'GET' && method !== 'DELETE')) {
      req.resume();
      if (rawId === undefined && (path === '/' || path === `/${stage}` || path === `/${stage}/`)) {
        // A plain HTTP request to the WebSocket URL.
        return sendJson(res, 426, { message: 'Upgrade Required' });
      }
      return sendError(res, 403, 'ForbiddenException', 'Missing Authentication Token');
    }

    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the cap nothing more is kept, but the body is still drained so the keep-alive socket stays usable.
      if (size > hardCap) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) return sendError(res, 413, 'PayloadTooLargeException', 'Message too long');
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      const failed = (error: unknown): void => {
        logger.error('management API', error);
        if (!res.headersSent) sendJson(res, 500, { message: 'Internal server error' });
      };
      try {
        // Synchronous for the SDK's request shape, so a push is queued (and answered) in the turn its body arrived.
        const failure = verifier.verify({ method, path, query: q === -1 ? '' : url.slice(q + 1), headers: req.headers, body });
        if (failure instanceof Promise) failure.then((message) => handle(message, method, rawId, body, res)).catch(failed);
        else handle(failure, method, rawId, body, res);
      } catch (error) {
        failed(error);
      }
    });
    req.on('error', () => res.destroy());
  };

  function handle(failure: string | undefined, method: string, rawId: string, body: Buffer, res: ServerResponse): void {
    if (failure) return sendError(res, 403, 'ForbiddenException', failure);

    let connectionId: string;
    try {
      connectionId = decodeURIComponent(rawId);
    } catch {
      return sendError(res, 410, 'GoneException', null);
    }

    if (method === 'POST' && body.length > limits.maxMessageBytes) {
      return sendError(res, 413, 'PayloadTooLargeException', 'Message too long');
    }
    const connection = registry.get(connectionId);
    // Unknown, closed, or still inside $connect: all "gone", as on AWS.
    if (!connection || !connection.isOpen) return sendError(res, 410, 'GoneException', null);

    if (method === 'POST') {
      if (body.length === 0) return sendError(res, 400, 'BadRequestException', 'Message data must not be empty');
      if (connection.bufferedAmount > limits.maxBufferedBytes) {
        return sendError(res, 429, 'LimitExceededException', 'The client is not reading fast enough');
      }
      // One frame: text when the bytes are valid UTF-8 (what every JSON push is), binary otherwise.
      // Answered at the end of the turn, with the other answers of the turn, just before the frames are written.
      accepted.add(res);
      connection.send(body, !isUtf8(body));
      return;
    }
    if (method === 'GET') {
      return sendJson(res, 200, {
        connectedAt: new Date(connection.facts.connectedAt).toISOString(),
        identity: { sourceIp: connection.facts.identity.sourceIp, userAgent: connection.facts.identity.userAgent },
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
    }
    connection.close(1000, '');
    return sendEmpty(res, 204);
  }
}
