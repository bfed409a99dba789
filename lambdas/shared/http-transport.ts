/**
 * The Lambdas' HTTP: node:http / node:https with a keep-alive agent, one per base URL. Global `fetch`
 * (undici behind WHATWG streams, Headers, AbortSignal) costs several times the CPU per call for the
 * small JSON requests the Lambdas make, and on the local gateway every one of them shares the
 * process with the WebSocket traffic.
 */
import {
  Agent as HttpAgent,
  type ClientRequest,
  type IncomingMessage,
  request as httpRequest,
  type RequestOptions,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpCall {
  method: string;
  /** Path and query, appended to the base URL's path. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

/**
 * The call failed: `stage` says whether the answer had started (`answer`: the request may have taken
 * effect) or not (`request`); `timedOut` when the deadline passed.
 */
export class HttpTransportError extends Error {
  override readonly name = 'HttpTransportError';
  constructor(
    readonly stage: 'request' | 'answer',
    readonly timedOut: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export type HttpTransport = (call: HttpCall) => Promise<HttpAnswer>;

// A pooled socket the server closed while it sat idle fails the next request at once with one of these.
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);
const staleSocketFailures = new WeakSet<HttpTransportError>();

/** A transport for `baseUrl` (http: or https:), reusing connections across calls (and warm invocations). */
export function createHttpTransport(baseUrl: string): HttpTransport {
  const url = new URL(baseUrl);
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') throw new TypeError(`Unsupported protocol ${url.protocol} in ${baseUrl}`);
  const send = secure ? httpsRequest : httpRequest;
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const target: RequestOptions = {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port || (secure ? 443 : 80),
    agent,
  };
  const basePath = url.pathname.replace(/\/+$/, '');

  const once = (call: HttpCall, deadline: number): Promise<HttpAnswer> =>
    new Promise<HttpAnswer>((resolve, reject) => {
      let request: ClientRequest;
      let answering = false;
      let settled = false;
      const fail = (error: HttpTransportError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
        request?.destroy();
      };
      const timer = setTimeout(
        () => fail(new HttpTransportError(answering ? 'answer' : 'request', true, 'timed out')),
        Math.max(0, deadline - Date.now()),
      );
      const headers =
        call.body === undefined
          ? call.headers
          : { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) };
      try {
        request = send({ ...target, method: call.method, path: basePath + call.path, headers });
      } catch (error) {
        // e.g. a header value no HTTP request may carry
        return fail(new HttpTransportError('request', false, describe(error), { cause: error }));
      }
      request.on('response', (response: IncomingMessage) => {
        answering = true;
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, text });
        });
        response.on('aborted', () => fail(new HttpTransportError('answer', false, 'connection closed mid-answer')));
        response.on('error', (error) =>
          fail(new HttpTransportError('answer', false, describe(error), { cause: error })),
        );
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        const failure = new HttpTransportError(answering ? 'answer' : 'request', false, describe(error), {
          cause: error,
        });
        if (request.reusedSocket && !answering && STALE_SOCKET_CODES.has(error.code ?? ''))
          staleSocketFailures.add(failure);
        fail(failure);
      });
      request.end(call.body);
    });

  return async (call) => {
    const deadline = Date.now() + call.timeoutMs;
    try {
      return await once(call, deadline);
    } catch (error) {
      // A kept-alive socket the server had already closed: the request never reached it, so send it
      // once more on a fresh connection (what Node's documentation recommends for keep-alive agents).
      if (error instanceof HttpTransportError && staleSocketFailures.delete(error)) return once(call, deadline);
      throw error;
    }
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
