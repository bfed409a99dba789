import {
  canonicalPath,
  canonicalRequest,
  credentialScope,
  deriveSigningKey,
  formatAmzDate,
  signString,
  SIGV4_ALGORITHM,
  stringToSign,
} from '@gavel/sigv4';

// The canonicalisation is shared with the local gateway's verifier; re-exported for this module's callers.
export { canonicalPath, encodeRfc3986, hashPayload } from '@gavel/sigv4';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface RequestToSign {
  method: string;
  /** Host header value, with the port when it is not the scheme's default. */
  host: string;
  /** The request path exactly as sent (already URI-encoded once). */
  path: string;
  /** `canonicalPath(path)`, when the caller keeps it (a broadcast signs the same paths over and over). */
  canonicalUri?: string;
  /** Hex SHA-256 of the body; compute it once per payload with `hashPayload`. */
  payloadHash: string;
}

/**
 * AWS Signature Version 4 for API Gateway management calls (service `execute-api`).
 *
 * Written for this one request shape because the generic signer of @smithy/signature-v4 costs about
 * 20 µs of CPU per request (canonicalising arbitrary headers and query strings), which dominates a
 * fan-out to thousands of connections. This one signs `host` and `x-amz-date` (plus the session token
 * when there is one), keeps the derived signing key for the day and the date strings for the second,
 * and takes the payload hash from the caller, so a broadcast hashes its body once. The unit test
 * checks its signatures against @smithy/signature-v4 byte for byte.
 */
export class ExecuteApiSigner {
  private signingKey: { cacheKey: string; key: Buffer } | undefined;
  private clock = { second: -1, amzDate: '', shortDate: '' };

  constructor(
    private readonly region: string,
    private readonly service = 'execute-api',
  ) {}

  /** Returns the headers to add to the request: `x-amz-date`, `authorization` and, with temporary credentials, `x-amz-security-token`. */
  sign(request: RequestToSign, credentials: SigningCredentials, now = Date.now()): Record<string, string> {
    const { amzDate, shortDate } = this.dates(now);
    const scope = credentialScope(shortDate, this.region, this.service);
    const token = credentials.sessionToken;
    const signedHeaders: [string, string][] = [
      ['host', request.host],
      ['x-amz-date', amzDate],
    ];
    if (token) signedHeaders.push(['x-amz-security-token', token]);
    const canonical = canonicalRequest({
      method: request.method,
      canonicalUri: request.canonicalUri ?? canonicalPath(request.path),
      headers: signedHeaders,
      payloadHash: request.payloadHash,
    });
    const signature = signString(
      this.key(credentials.secretAccessKey, shortDate),
      stringToSign(amzDate, scope, canonical.canonicalRequest),
    );
    const headers: Record<string, string> = {
      'x-amz-date': amzDate,
      authorization: `${SIGV4_ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`,
    };
    if (token) headers['x-amz-security-token'] = token;
    return headers;
  }

  private dates(now: number): { amzDate: string; shortDate: string } {
    const second = Math.floor(now / 1000);
    if (second !== this.clock.second) {
      const amzDate = formatAmzDate(second * 1000);
      this.clock = { second, amzDate, shortDate: amzDate.slice(0, 8) };
    }
    return this.clock;
  }

  private key(secretAccessKey: string, shortDate: string): Buffer {
    const cacheKey = `${shortDate}:${secretAccessKey}`;
    if (this.signingKey?.cacheKey !== cacheKey) {
      this.signingKey = { cacheKey, key: deriveSigningKey(secretAccessKey, shortDate, this.region, this.service) };
    }
    return this.signingKey.key;
  }
}
