import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './node-sha256.js';

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequest {
  method: string;
  /** The raw (still URL-encoded) path, without the query string. */
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

// AWS's own messages for each failure.
const MISSING = 'Missing Authentication Token';
const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const BAD_KEY = 'The security token included in the request is invalid.';

/**
 * Verifies AWS Signature Version 4 the way the service does: re-signs the canonical request with the
 * configured secret — directly for the SDK's request shape, through @smithy/signature-v4 (the SDK's
 * own signer) for any other — and compares the signatures in constant time.
 */
export class SigV4Verifier {
  private readonly signer: SignatureV4;
  private cachedKey: { shortDate: string; key: Buffer } | undefined;
  /** The last `x-amz-date` seen, parsed: every request signed in the same second carries the same one. */
  private lastDate: { amzDate: string; signingDate: Date | undefined; longDate: string } | undefined;
  /** The last body and its SHA-256: a broadcast posts the same bytes to every connection. */
  private lastBody: { bytes: Buffer; sha256: string } | undefined;

  constructor(
    private readonly credentials: SigV4Credentials,
    private readonly region: string,
    private readonly service = 'execute-api',
    private readonly maxSkewMs = MAX_CLOCK_SKEW_MS,
  ) {
    // applyChecksum off: only the headers the client signed may take part in the signature.
    this.signer = new SignatureV4({ credentials, region, service, sha256: NodeSha256, applyChecksum: false, uriEscapePath: true });
  }

  /**
   * Undefined when the request is authentic, else AWS's message for the failure. Synchronous for the
   * SDK's request shape (the hot path of every push); a promise when the SDK's signer has to re-sign.
   */
  verify(request: SignedRequest): string | undefined | Promise<string | undefined> {
    const authorization = request.headers.authorization;
    if (!authorization) return MISSING;
    const match = AUTHORIZATION.exec(authorization);
    if (!match) return `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.`;
    const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = match as unknown as string[];
    if (accessKeyId !== this.credentials.accessKeyId) return BAD_KEY;
    if (region !== this.region) return `Credential should be scoped to a valid region, not '${region}'.`;
    if (service !== this.service) return `Credential should be scoped to correct service: '${this.service}'.`;

    const amzDate = header(request.headers, 'x-amz-date');
    const date = amzDate ? this.parseDate(amzDate) : undefined;
    const signingDate = date?.signingDate;
    if (!date || !signingDate) return `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`;
    if (amzDate!.slice(0, 8) !== scopeDate) return `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate!.slice(0, 8)}'.`;
    if (Math.abs(Date.now() - signingDate.getTime()) > this.maxSkewMs) {
      return `Signature expired: ${amzDate} is now earlier or later than the allowed 5 minutes from the server's time.`;
    }

    const signedNames = signedHeaderList!.split(';');
    const headers: Record<string, string> = {};
    for (const name of signedNames) {
      const value = header(request.headers, name);
      if (value === undefined) return BAD_SIGNATURE;
      headers[name] = value;
    }
    // A signed payload hash must be the hash of the body that actually arrived.
    const contentSha = headers['x-amz-content-sha256'];
    if (contentSha !== undefined && contentSha !== this.bodySha256(request.body)) return BAD_SIGNATURE;

    const direct = this.directSignature(request, signedNames, headers, date.longDate);
    if (direct !== undefined) return compareSignatures(direct, signature!);
    return this.smithySignature(request, signedNames, headers, signingDate).then((expected) => compareSignatures(expected, signature!));
  }

  /**
   * The signature of the common request shape — what the SDK sends for PostToConnection / GetConnection /
   * DeleteConnection: no query string, `x-amz-date` signed, neither `date` nor `authorization` signed —
   * computed straight from the canonical request, with the derived signing key kept for the day.
   * Why: @smithy/signature-v4's generic signer costs ~40 µs per request (async hashing, header
   * canonicalisation for any input), which is most of the gateway's CPU per push in a fan-out. Other
   * shapes return undefined and go through the SDK's signer; the unit test checks both agree.
   */
  private directSignature(request: SignedRequest, signedNames: string[], headers: Record<string, string>, longDate: string): string | undefined {
    if (request.query !== '' || !signedNames.includes('x-amz-date') || signedNames.includes('date') || signedNames.includes('authorization')) return undefined;
    const shortDate = longDate.slice(0, 8);
    // The SDK sends the list sorted and without repeats; anything else is put in that order first.
    const names = isSortedUnique(signedNames) ? signedNames : [...new Set(signedNames)].sort();
    let canonicalHeaders = '';
    for (const name of names) {
      // As the SDK's signer does: x-amz-date is re-derived from the signing date, values are whitespace-normalised.
      const value = name === 'x-amz-date' ? longDate : normalizeHeaderValue(headers[name]!);
      canonicalHeaders += `${name}:${value}\n`;
    }
    const payloadHash = headers['x-amz-content-sha256'] ?? this.bodySha256(request.body);
    const canonicalRequest = `${request.method}\n${canonicalPath(request.path)}\n\n${canonicalHeaders}\n${names.join(';')}\n${payloadHash}`;
    const scope = `${shortDate}/${this.region}/${this.service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${hash('sha256', canonicalRequest, 'hex')}`;
    return createHmac('sha256', this.signingKey(shortDate)).update(stringToSign).digest('hex');
  }

  private parseDate(amzDate: string): { signingDate: Date | undefined; longDate: string } {
    if (this.lastDate?.amzDate !== amzDate) {
      const signingDate = parseAmzDate(amzDate);
      const longDate = signingDate ? signingDate.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '') : '';
      this.lastDate = { amzDate, signingDate, longDate };
    }
    return this.lastDate;
  }

  private bodySha256(body: Buffer): string {
    if (!this.lastBody?.bytes.equals(body)) {
      // A copy: the request's buffer may be a slice of a larger one that should not be kept alive.
      this.lastBody = { bytes: Buffer.from(body), sha256: hash('sha256', body, 'hex') };
    }
    return this.lastBody.sha256;
  }

  private signingKey(shortDate: string): Buffer {
    if (this.cachedKey?.shortDate !== shortDate) {
      let key: Buffer = createHmac('sha256', `AWS4${this.credentials.secretAccessKey}`).update(shortDate).digest();
      for (const part of [this.region, this.service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
      this.cachedKey = { shortDate, key };
    }
    return this.cachedKey.key;
  }

  /** Any other shape: re-signed by the SDK's own signer. */
  private async smithySignature(request: SignedRequest, signedNames: string[], headers: Record<string, string>, signingDate: Date): Promise<string | undefined> {
    const signed = await this.signer.sign(
      new HttpRequest({
        method: request.method,
        protocol: 'http:',
        hostname: headers.host ?? '',
        path: request.path,
        query: parseQuery(request.query),
        headers,
        body: request.body,
      }),
      { signingDate, signableHeaders: new Set(signedNames) },
    );
    return /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1];
  }
}

/** Paths made only of unreserved characters and %-escapes, with no empty, `.` or `..` segment: what the SDK sends. */
const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~%]+)+$/;

/** The SDK signer's canonical URI (uriEscapePath): empty and `.` segments dropped, `..` resolved, each segment encoded once more. */
export function canonicalPath(path: string): string {
  // Encoding such a path once more only turns each `%` into `%25`.
  if (PLAIN_PATH.test(path)) return path.replaceAll('%', '%25');
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment.length === 0 || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return encodeURIComponent(normalized)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
}

function compareSignatures(expected: string | undefined, received: string): string | undefined {
  if (expected === undefined || expected.length !== received.length) return BAD_SIGNATURE;
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(received, 'latin1')) ? undefined : BAD_SIGNATURE;
}

/** Header values as the signer canonicalises them: line breaks and runs of blanks become one space, no space at either end. */
function normalizeHeaderValue(value: string): string {
  if (!/[\r\n\t]| {2}|^ | $/.test(value)) return value;
  return value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

function isSortedUnique(names: string[]): boolean {
  for (let i = 1; i < names.length; i++) if (names[i - 1]! >= names[i]!) return false;
  return true;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20240120T115500Z` → Date. */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function parseQuery(query: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  if (!query) return result;
  for (const [key, value] of new URLSearchParams(query)) {
    const existing = result[key];
    if (existing === undefined) result[key] = value;
    else result[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}
