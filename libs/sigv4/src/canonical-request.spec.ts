import { createHash, createHmac } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, it } from '@jest/globals';
import { expect } from '../../../test/support/expect.js';
import {
  canonicalPath,
  canonicalRequest,
  credentialScope,
  deriveSigningKey,
  encodeRfc3986,
  formatAmzDate,
  hashPayload,
  signString,
  SIGV4_ALGORITHM,
  stringToSign,
} from './canonical-request.js';

class Sha256 {
  private readonly hash;
  constructor(secret?: string | Uint8Array) {
    this.hash = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const region = 'eu-west-1';
const service = 'execute-api';
const now = new Date('2026-11-24T05:59:07.123Z');

/** The Authorization the SDK's signer gives (every header given is signed). */
async function smithyAuthorization(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<string> {
  const signer = new SignatureV4({ service, region, credentials, sha256: Sha256 as never, applyChecksum: false });
  const signed = await signer.sign(
    new HttpRequest({ method, protocol: 'https:', hostname: headers.host!, path, headers, body }),
    { signingDate: now },
  );
  return String(signed.headers.authorization);
}

/** The same request signed with this lib's functions alone. */
function ourAuthorization(method: string, path: string, headers: Record<string, string>, body: string): string {
  const amzDate = formatAmzDate(now.getTime());
  const shortDate = amzDate.slice(0, 8);
  const entries = Object.entries({ ...headers, 'x-amz-date': amzDate }).sort(([a], [b]) => (a < b ? -1 : 1));
  const canonical = canonicalRequest({
    method,
    canonicalUri: canonicalPath(path),
    headers: entries,
    payloadHash: hashPayload(body),
  });
  const scope = credentialScope(shortDate, region, service);
  const signature = signString(
    deriveSigningKey(credentials.secretAccessKey, shortDate, region, service),
    stringToSign(amzDate, scope, canonical.canonicalRequest),
  );
  return `${SIGV4_ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`;
}

describe('SigV4 canonical request', () => {
  const host = 'abc123.execute-api.eu-west-1.amazonaws.com';

  it('signs byte for byte as @smithy/signature-v4, odd paths included (empty, `.` and `..` segments, reserved characters)', async () => {
    const paths = [
      '/prod/@connections/R1kmxc2VNjMCFIA%3D',
      '/@connections/a-b_c.d~e',
      '/dev//@connections/./a',
      '/dev/x/../@connections/b',
      '/a/./b/../c',
      "/dev/@connections/it's(*)!",
      '/dev/@connections/a/',
      '/',
      '/%2e%2e/x',
      '/dev/a..b/c',
      '/dev/@connections/caf%C3%A9',
      '/dev/@connections/café',
    ];
    for (const path of paths) {
      for (const method of ['POST', 'GET', 'DELETE']) {
        const body = method === 'POST' ? '{"type":"pong"}' : '';
        expect(ourAuthorization(method, path, { host }, body), `${method} ${path}`).toBe(
          await smithyAuthorization(method, path, { host }, body),
        );
      }
    }
  });

  it('canonicalises header values as the SDK does (runs of blanks, tabs, leading and trailing spaces) and signs a session token', async () => {
    const headers = { host, 'x-custom': '  a \t  b  ', 'x-amz-security-token': 'FwoGZXIvYXdzEJr//////////wEaDK' };
    expect(ourAuthorization('POST', '/prod/@connections/x', headers, 'body')).toBe(
      await smithyAuthorization('POST', '/prod/@connections/x', headers, 'body'),
    );
  });

  it('takes the plain-path shortcut only where the full encoding gives the same answer', () => {
    const slowly = (path: string): string => canonicalPath(`${path}/x/..`); // a `..` segment forces the full encoding
    for (const path of [
      '/dev/%40connections/R1k%2Bm%2Fx%3D',
      '/dev/@connections/R1k%3D',
      '/@connections/a-b_c.d~e',
      '/dev/a..b/c',
      '/%2e%2e/x',
    ]) {
      expect(canonicalPath(path), path).toBe(slowly(path));
    }
    expect(canonicalPath('/dev/@connections/R1k%3D')).toBe('/dev/%40connections/R1k%253D');
  });

  it('encodes path labels like the AWS SDK', () => {
    expect(encodeRfc3986("a+b/c=d!'()*")).toBe('a%2Bb%2Fc%3Dd%21%27%28%29%2A');
    // The shortcut for base64 ids without `+` or `/` gives what the general encoding gives.
    for (const id of ['R1kmxc2VNjMCFIA=', 'abc-_.~', '', '=='])
      expect(encodeRfc3986(id), id).toBe(encodeURIComponent(id));
  });

  it('formats x-amz-date to the second', () => {
    expect(formatAmzDate(now.getTime())).toBe('20261124T055907Z');
  });
});
