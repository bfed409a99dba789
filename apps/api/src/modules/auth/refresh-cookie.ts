import type { Request, Response } from 'express';

/** The web client's refresh cookie: HttpOnly (no script reads it), SameSite=Strict, sent only to /auth. */
export const REFRESH_COOKIE = 'gavel_refresh';
const PATH = '/auth';

/**
 * The cookie's value from the Cookie header. Read by hand rather than with cookie-parser (not installed,
 * and one opaque base64url value needs no decoding): the first `gavel_refresh=` pair wins.
 */
export function readRefreshCookie(request: Request): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const pair of header.split(';')) {
    const index = pair.indexOf('=');
    if (index > 0 && pair.slice(0, index).trim() === REFRESH_COOKIE) {
      const value = pair.slice(index + 1).trim();
      return /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/** `Secure` whenever the request came over https (req.secure honours X-Forwarded-Proto under TRUST_PROXY). */
export function setRefreshCookie(request: Request, response: Response, token: string, maxAgeSeconds: number): void {
  response.cookie(REFRESH_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    path: PATH,
    maxAge: maxAgeSeconds * 1000,
    secure: request.secure,
  });
}

export function clearRefreshCookie(request: Request, response: Response): void {
  response.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', path: PATH, secure: request.secure });
}

/**
 * CSRF defence in depth beside SameSite=Strict: a browser sends Origin on every cross-site POST; when it
 * names another host than the one asked, the request is refused. No Origin (same-origin navigation,
 * curl) passes; the cookie itself is the credential.
 */
export function isCrossSite(request: Request): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true; // "null" (sandboxed frames, file://) and anything unparsable
  }
}
