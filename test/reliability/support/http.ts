/** A small fetch wrapper for the reliability tests: JSON in, status + parsed body out, never throws on 4xx/5xx. */
import { createHmac } from 'node:crypto';

export interface HttpAnswer<T = any> {
  status: number;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  body: T;
  text: string;
  headers: Headers;
}

export interface HttpRequest {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (takes precedence over `body`). */
  rawBody?: string | Buffer;
  token?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export async function http<T = any>(baseUrl: string, path: string, request: HttpRequest = {}): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  let body: string | Buffer | undefined;
  if (request.rawBody !== undefined) body = request.rawBody;
  else if (request.body !== undefined) body = JSON.stringify(request.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method: request.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    // A Buffer is not a BodyInit in TypeScript's DOM types; a Uint8Array view of it is.
    body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body),
    signal: AbortSignal.timeout(request.timeoutMs ?? 15_000),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed as T, text, headers: response.headers };
}

export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const answer = await http<{ accessToken: string }>(baseUrl, '/auth/login', { body: { email, password } });
  if (answer.status !== 200) throw new Error(`login of ${email} answered ${answer.status}: ${answer.text}`);
  return answer.body.accessToken;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Builds a JWT by hand, so tests can forge the ones a library would refuse to make (alg none, wrong alg, tampered). */
export function forgeJwt(header: Record<string, unknown>, payload: Record<string, unknown>, secret?: string): string {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  if (secret === undefined) return `${signingInput}.`;
  const algorithm = header.alg === 'HS512' ? 'sha512' : header.alg === 'HS384' ? 'sha384' : 'sha256';
  return `${signingInput}.${createHmac(algorithm, secret).update(signingInput).digest('base64url')}`;
}

/** The payload of a JWT, unverified. */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The same token with its payload replaced and the original signature kept (a tampered token). */
export function tamperJwt(
  token: string,
  change: (payload: Record<string, unknown>) => Record<string, unknown>,
): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url(JSON.stringify(change(jwtPayload(token))))}.${signature}`;
}
