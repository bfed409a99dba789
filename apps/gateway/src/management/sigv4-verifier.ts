import { createHash, timingSafeEqual } from 'node:crypto';
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
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;\-]+),\s*Signature=([0-9a-f]{64})$/;

// AWS's own messages for each failure.
const MISSING = 'Missing Authentication Token';
const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const BAD_KEY = 'The security token included in the request is invalid.';

/**
 * Verifies AWS Signature Version 4 the way the service does: re-signs the canonical request with
 * the configured secret (through @smithy/signature-v4, the SDK's own signer, which also caches the
 * derived signing key per day/region/service) and compares signatures in constant time.
 * Returns undefined when the request is authentic, else AWS's message for the failure.
 */
export class SigV4Verifier {
  private readonly signer: SignatureV4;

  constructor(
    private readonly credentials: SigV4Credentials,
    private readonly region: string,
    private readonly service = 'execute-api',
    private readonly maxSkewMs = MAX_CLOCK_SKEW_MS,
  ) {
    // applyChecksum off: only the headers the client signed may take part in the signature.
    this.signer = new SignatureV4({ credentials, region, service, sha256: NodeSha256, applyChecksum: false, uriEscapePath: true });
  }

  async verify(request: SignedRequest): Promise<string | undefined> {
    const authorization = request.headers.authorization;
    if (!authorization) return MISSING;
    const match = AUTHORIZATION.exec(authorization);
    if (!match) return `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.`;
    const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = match as unknown as string[];
    if (accessKeyId !== this.credentials.accessKeyId) return BAD_KEY;
    if (region !== this.region) return `Credential should be scoped to a valid region, not '${region}'.`;
    if (service !== this.service) return `Credential should be scoped to correct service: '${this.service}'.`;

    const amzDate = header(request.headers, 'x-amz-date');
    const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
    if (!signingDate) return `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`;
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
    if (contentSha !== undefined && contentSha !== createHash('sha256').update(request.body).digest('hex')) return BAD_SIGNATURE;

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
    const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1];
    if (!expected || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature!))) return BAD_SIGNATURE;
    return undefined;
  }
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
