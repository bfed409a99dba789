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
/**
 * A body declared over the limit is answered 413 at once and never buffered; up to this many times the
 * limit it is still drained (discarded unread) after the answer, so a keep-alive socket stays usable and
 * the client is not reset mid-upload; a larger declared body closes the connection instead.
 */
const DRAIN_FACTOR = 8;

/**
 * The management API on the gateway's port: POST / GET / DELETE `/@connections/{id}` and
 * `/{stage}/@connections/{id}`, SigV4-verified, answering with AWS's statuses, headers and bodies.
 * Nothing is buffered before the headers have been checked, and never more than the message limit:
 * a forged request is refused on its headers, a body declared too large is refused before it is read,
 * and the SDK's requests (which sign their payload hash) have their signature checked before their body.
 */
export function createConnectionsRoutes(
  options: ConnectionsRoutesOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { stage, registry, verifier, limits, logger } = options;
  const stagePrefix = `/${stage}${PREFIX}`;
  const maxBody = limits.maxMessageBytes;
  const drainCap = maxBody * DRAIN_FACTOR;
  // A POST adds its answer before queueing its frame, so a turn of pushes writes the answers, then the frames.
  const accepted = new TurnBatch<ServerResponse>((responses) => {
    for (const res of responses) if (!res.destroyed) sendEmpty(res, 200);
  });

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const rawId = path.startsWith(PREFIX)
      ? path.slice(PREFIX.length)
      : path.startsWith(stagePrefix)
        ? path.slice(stagePrefix.length)
        : undefined;
    const method = req.method ?? 'GET';
    req.on('error', () => res.destroy());

    if (
      rawId === undefined ||
      rawId === '' ||
      rawId.includes('/') ||
      (method !== 'POST' && method !== 'GET' && method !== 'DELETE')
    ) {
      if (rawId === undefined && (path === '/' || path === `/${stage}` || path === `/${stage}/`)) {
        // A plain HTTP request to the WebSocket URL.
        return refuseUnread(req, res, () => sendJson(res, 426, { message: 'Upgrade Required' }));
      }
      return refuseUnread(req, res, () => sendError(res, 403, 'ForbiddenException', 'Missing Authentication Token'));
    }

    const failed = (error: unknown): void => {
      logger.error('management API', error);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal server error' });
    };
    const head = { method, path, query: q === -1 ? '' : url.slice(q + 1), headers: req.headers };
    const claim = verifier.checkHead(head);
    if (typeof claim === 'string')
      return refuseUnread(req, res, () => sendError(res, 403, 'ForbiddenException', claim));

    // With a signed payload hash (the SDK's requests) the signature is checked now, before the body.
    const checkedEarly = claim.payloadHash !== undefined;
    let early: string | undefined | Promise<string | undefined>;
    try {
      early = checkedEarly ? verifier.checkSignature(head, claim) : undefined;
    } catch (error) {
      return failed(error);
    }
    // Marked handled now; whoever awaits it later still sees a rejection.
    if (early instanceof Promise) early.catch(() => undefined);
    if (typeof early === 'string') {
      const failure = early;
      return refuseUnread(req, res, () => sendError(res, 403, 'ForbiddenException', failure));
    }

    const declared = contentLength(req);
    if (method === 'POST' && declared !== undefined && declared > maxBody) {
      const tooLarge = () =>
        refuseUnread(req, res, () => sendError(res, 413, 'PayloadTooLargeException', 'Message too long'));
      if (!(early instanceof Promise)) return tooLarge();
      // The signature is still being checked (an unusual request shape): it decides between 403 and 413.
      return void early.then(
        (failure) =>
          failure ? refuseUnread(req, res, () => sendError(res, 403, 'ForbiddenException', failure)) : tooLarge(),
        failed,
      );
    }

    const chunks: Buffer[] = [];
    let size = 0;
    let cutOff = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBody) return void chunks.push(chunk);
      // A body without a length (chunked) is cut off at the limit: answered 413, nothing more is read.
      cutOff = true;
      chunks.length = 0;
      req.off('data', onData);
      req.pause();
      res.shouldKeepAlive = false;
      sendError(res, 413, 'PayloadTooLargeException', 'Message too long');
    };
    req.on('data', onData);
    req.on('end', () => {
      if (cutOff) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      try {
        // Synchronous for the SDK's request shape, so a push is queued (and answered) in the turn its body arrived.
        const failure =
          verifier.checkBody(claim, body) ?? (checkedEarly ? early : verifier.checkSignature(head, claim, body));
        if (failure instanceof Promise)
          failure.then((message) => handle(message, method, rawId, body, res)).catch(failed);
        else handle(failure, method, rawId, body, res);
      } catch (error) {
        failed(error);
      }
    });
  };

  /**
   * Answers without reading the body. A body of known, moderate length is then discarded by Node as it
   * arrives, so the keep-alive socket stays usable (and the client is not reset mid-upload); a larger or
   * chunked one is left unread and the connection is closed after the answer.
   */
  function refuseUnread(req: IncomingMessage, res: ServerResponse, answer: () => void): void {
    const chunked = req.headers['transfer-encoding'] !== undefined;
    if (chunked || (contentLength(req) ?? 0) > drainCap) res.shouldKeepAlive = false;
    answer();
  }

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
      // As AWS when the client's buffer is full; a client that stays this slow is closed (see GatewayConnection).
      if (!connection.admit(body.length))
        return sendError(res, 429, 'LimitExceededException', 'The client is not reading fast enough');
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

/** The declared Content-Length, or undefined for a chunked body. */
function contentLength(req: IncomingMessage): number | undefined {
  const value = req.headers['content-length'];
  if (value === undefined || req.headers['transfer-encoding'] !== undefined) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
