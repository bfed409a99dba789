import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  canonicalPath,
  canonicalRequest,
  credentialScope,
  deriveSigningKey,
  formatAmzDate,
  hashPayload,
  signString,
  stringToSign,
} from '@gavel/sigv4';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './node-sha256.js';

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What arrives before the body. */
export interface RequestHead {
  method: string;
  /** The raw (still URL-encoded) path, without the query string. */
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
}

export interface SignedRequest extends RequestHead {
  body: Buffer;
}

/** A request's Authorization, parsed and checked as far as its headers allow (see `checkHead`). */
export interface SignatureClaim {
  signedNames: string[];
  /** The signed headers' values, by lower-case name. */
  headers: Record<string, string>;
  signingDate: Date;
  longDate: string;
  signature: string;
  /**
   * The signed `x-amz-content-sha256` (the SDK always sends one): the signature then covers this hash,
   * so it can be checked before the body arrives, and the body only has to match the hash.
   */
  payloadHash: string | undefined;
}

export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const EMPTY = Buffer.alloc(0);

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

// AWS's own messages for each failure.
const MISSING = 'Missing Authentication Token';
const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const BAD_KEY = 'The security token included in the request is invalid.';
const HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";

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
    this.signer = new SignatureV4({
      credentials,
      region,
      service,
      sha256: NodeSha256,
      applyChecksum: false,
      uriEscapePath: true,
    });
  }

  /**
   * Undefined when the request is authentic, else AWS's message for the failure. Synchronous for the
   * SDK's request shape (the hot path of every push); a promise when the SDK's signer has to re-sign.
   */
  verify(request: SignedRequest): string | undefined | Promise<string | undefined> {
    const claim = this.checkHead(request);
    if (typeof claim === 'string') return claim;
    const body = this.checkBody(claim, request.body);
    if (body !== undefined) return body;
    return this.checkSignature(request, claim, request.body);
  }

  /**
   * Everything the headers alone decide — algorithm, key, scope, date and skew, `host` signed, every
   * signed header present — so a forged or unsigned request is refused before its body is read.
   * A string is AWS's message for the failure.
   */
  checkHead(head: RequestHead): SignatureClaim | string {
    const authorization = head.headers.authorization;
    if (!authorization) return MISSING;
    const match = AUTHORIZATION.exec(authorization);
    if (!match) return `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.`;
    const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = match as unknown as string[];
    if (accessKeyId !== this.credentials.accessKeyId) return BAD_KEY;
    if (region !== this.region) return `Credential should be scoped to a valid region, not '${region}'.`;
    if (service !== this.service) return `Credential should be scoped to correct service: '${this.service}'.`;

    const amzDate = header(head.headers, 'x-amz-date');
    const date = amzDate ? this.parseDate(amzDate) : undefined;
    const signingDate = date?.signingDate;
    if (!date || !signingDate)
      return `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`;
    if (amzDate!.slice(0, 8) !== scopeDate)
      return `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate!.slice(0, 8)}'.`;
    if (Math.abs(Date.now() - signingDate.getTime()) > this.maxSkewMs) {
      return `Signature expired: ${amzDate} is now earlier or later than the allowed 5 minutes from the server's time.`;
    }

    const signedNames = signedHeaderList!.split(';');
    // As AWS: a signature that does not cover Host could be replayed against another endpoint.
    if (!signedNames.includes('host')) return HOST_NOT_SIGNED;
    const headers: Record<string, string> = {};
    for (const name of signedNames) {
      const value = header(head.headers, name);
      if (value === undefined) return BAD_SIGNATURE;
      headers[name] = value;
    }
    return {
      signedNames,
      headers,
      signingDate,
      longDate: date.longDate,
      signature: signature!,
      payloadHash: headers['x-amz-content-sha256'],
    };
  }

  /** A signed payload hash must be the hash of the body that actually arrived. */
  checkBody(claim: SignatureClaim, body: Buffer): string | undefined {
    return claim.payloadHash === undefined || claim.payloadHash === this.bodySha256(body) ? undefined : BAD_SIGNATURE;
  }

  /**
   * Compares the signature with the one the configured secret gives. Needs the body only when the
   * claim carries no payload hash. Synchronous for the SDK's request shape; a promise otherwise.
   */
  checkSignature(
    head: RequestHead,
    claim: SignatureClaim,
    body?: Buffer,
  ): string | undefined | Promise<string | undefined> {
    if (claim.payloadHash === undefined && body === undefined)
      throw new Error('checkSignature: this request signs its body, which has not arrived yet');
    const payloadHash = claim.payloadHash ?? this.bodySha256(body!);
    const direct = this.directSignature(head, claim, payloadHash);
    if (direct !== undefined) return compareSignatures(direct, claim.signature);
    return this.smithySignature(head, claim, body ?? EMPTY).then((expected) =>
      compareSignatures(expected, claim.signature),
    );
  }

  /**
   * The signature of the common request shape — what the SDK sends for PostToConnection / GetConnection /
   * DeleteConnection: no query string, `x-amz-date` signed, neither `date` nor `authorization` signed —
   * computed straight from the canonical request (@gavel/sigv4, the one the API signs with), with the
   * derived signing key kept for the day.
   * Why: @smithy/signature-v4's generic signer costs ~40 µs per request (async hashing, header
   * canonicalisation for any input), which is most of the gateway's CPU per push in a fan-out. Other
   * shapes return undefined and go through the SDK's signer; the unit test checks both agree.
   */
  private directSignature(request: RequestHead, claim: SignatureClaim, payloadHash: string): string | undefined {
    const { signedNames, headers, longDate } = claim;
    if (
      request.query !== '' ||
      !signedNames.includes('x-amz-date') ||
      signedNames.includes('date') ||
      signedNames.includes('authorization')
    )
      return undefined;
    const shortDate = longDate.slice(0, 8);
    // The SDK sends the list sorted and without repeats; anything else is put in that order first.
    const names = isSortedUnique(signedNames) ? signedNames : [...new Set(signedNames)].sort();
    // As the SDK's signer does: x-amz-date is re-derived from the signing date.
    const signed = names.map((name): [string, string] => [name, name === 'x-amz-date' ? longDate : headers[name]!]);
    const canonical = canonicalRequest({
      method: request.method,
      canonicalUri: canonicalPath(request.path),
      headers: signed,
      payloadHash,
    });
    return signString(
      this.signingKey(shortDate),
      stringToSign(longDate, credentialScope(shortDate, this.region, this.service), canonical.canonicalRequest),
    );
  }

  private parseDate(amzDate: string): { signingDate: Date | undefined; longDate: string } {
    if (this.lastDate?.amzDate !== amzDate) {
      const signingDate = parseAmzDate(amzDate);
      const longDate = signingDate ? formatAmzDate(signingDate.getTime()) : '';
      this.lastDate = { amzDate, signingDate, longDate };
    }
    return this.lastDate;
  }

  private bodySha256(body: Buffer): string {
    if (!this.lastBody?.bytes.equals(body)) {
      // A copy: the request's buffer may be a slice of a larger one that should not be kept alive.
      this.lastBody = { bytes: Buffer.from(body), sha256: hashPayload(body) };
    }
    return this.lastBody.sha256;
  }

  private signingKey(shortDate: string): Buffer {
    if (this.cachedKey?.shortDate !== shortDate) {
      this.cachedKey = {
        shortDate,
        key: deriveSigningKey(this.credentials.secretAccessKey, shortDate, this.region, this.service),
      };
    }
    return this.cachedKey.key;
  }

  /** Any other shape: re-signed by the SDK's own signer. */
  private async smithySignature(
    request: RequestHead,
    claim: SignatureClaim,
    body: Buffer,
  ): Promise<string | undefined> {
    const { signedNames, headers, signingDate } = claim;
    const signed = await this.signer.sign(
      new HttpRequest({
        method: request.method,
        protocol: 'http:',
        hostname: headers.host ?? '',
        path: request.path,
        query: parseQuery(request.query),
        headers,
        body,
      }),
      { signingDate, signableHeaders: new Set(signedNames) },
    );
    return /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1];
  }
}

function compareSignatures(expected: string | undefined, received: string): string | undefined {
  if (expected === undefined || expected.length !== received.length) return BAD_SIGNATURE;
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(received, 'latin1')) ? undefined : BAD_SIGNATURE;
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
