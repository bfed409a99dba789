/**
 * AWS Signature Version 4, the parts both ends of the management API need: the API's signer
 * (apps/api …/execute-api-signer.ts) builds a signature with them and the local gateway's verifier
 * (apps/gateway/src/management/sigv4-verifier.ts) rebuilds it to compare. One canonicalisation, so the
 * two cannot drift apart; both are checked byte for byte against @smithy/signature-v4 (the SDK's signer).
 * Plain functions on node:crypto, no SDK: this is the hot path of every push.
 */
import { createHmac, hash } from 'node:crypto';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

const EMPTY_PAYLOAD_HASH = hash('sha256', '', 'hex');

/** Hex SHA-256 of a body, as the canonical request and `x-amz-content-sha256` carry it. */
export function hashPayload(body: Uint8Array | string | undefined): string {
  if (body === undefined || body.length === 0) return EMPTY_PAYLOAD_HASH;
  return hash('sha256', body, 'hex');
}

/** `x-amz-date` for an instant: `20240120T115500Z` (whole seconds, UTC). */
export function formatAmzDate(epochMs: number): string {
  const iso = new Date(Math.floor(epochMs / 1000) * 1000).toISOString(); // 2024-01-20T11:55:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** `<yyyymmdd>/<region>/<service>/aws4_request`. */
export function credentialScope(shortDate: string, region: string, service: string): string {
  return `${shortDate}/${region}/${service}/aws4_request`;
}

/** A path of unreserved characters, `%`-escapes and `@`, with no empty, `.` or `..` segment: what the SDK sends. */
const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~%@]+)+$/;

/**
 * The canonical URI as @smithy/signature-v4 computes it for every service but S3 (uriEscapePath): empty and
 * `.` segments dropped, `..` resolved, then the (already encoded) path encoded once more, `/` kept.
 */
export function canonicalPath(path: string): string {
  // Encoding such a path once more only touches `%` and `@`: the common case without splitting it.
  if (PLAIN_PATH.test(path)) return path.replaceAll('%', '%25').replaceAll('@', '%40');
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment.length === 0 || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return encodeRfc3986(normalized).replace(/%2F/g, '/');
}

const UNRESERVED_OR_EQUALS = /^[A-Za-z0-9\-._~=]*$/;

/** encodeURIComponent plus the reserved characters RFC 3986 wants encoded too (the AWS SDK's extendedEncodeURIComponent). */
export function encodeRfc3986(value: string): string {
  // Connection ids are base64: only `=` (and `+`, `/`) need escaping; unreserved characters stay as they are.
  if (UNRESERVED_OR_EQUALS.test(value)) return value.replaceAll('=', '%3D');
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A header value as the signer canonicalises it: line breaks and runs of blanks become one space, none at either end. */
export function canonicalHeaderValue(value: string): string {
  if (!/[\r\n\t]| {2}|^ | $/.test(value)) return value;
  return value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}

export interface CanonicalRequest {
  method: string;
  /** `canonicalPath(path)`. */
  canonicalUri: string;
  /** The signed headers, lower-case names sorted without repeats, with their values. */
  headers: ReadonlyArray<readonly [name: string, value: string]>;
  /** Hex SHA-256 of the body (`hashPayload`), or the signed `x-amz-content-sha256`. */
  payloadHash: string;
}

/** The canonical request of a request without a query string, and the `SignedHeaders` list it signs. */
export function canonicalRequest(request: CanonicalRequest): { canonicalRequest: string; signedHeaders: string } {
  let canonicalHeaders = '';
  let signedHeaders = '';
  for (const [name, value] of request.headers) {
    canonicalHeaders += `${name}:${canonicalHeaderValue(value)}\n`;
    signedHeaders += signedHeaders === '' ? name : `;${name}`;
  }
  return {
    canonicalRequest: `${request.method}\n${request.canonicalUri}\n\n${canonicalHeaders}\n${signedHeaders}\n${request.payloadHash}`,
    signedHeaders,
  };
}

/** The string to sign: algorithm, `x-amz-date`, credential scope and the canonical request's hash. */
export function stringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${hash('sha256', canonicalRequest, 'hex')}`;
}

/** The day's signing key; callers keep it for the day (four HMACs per derivation). */
export function deriveSigningKey(secretAccessKey: string, shortDate: string, region: string, service: string): Buffer {
  let key: Buffer = createHmac('sha256', `AWS4${secretAccessKey}`).update(shortDate).digest();
  for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return key;
}

/** Hex HMAC-SHA-256 of the string to sign with the signing key. */
export function signString(signingKey: Buffer, toSign: string): string {
  return createHmac('sha256', signingKey).update(toSign).digest('hex');
}
