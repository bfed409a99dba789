import { createHash } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, it } from '@jest/globals';
import { expect } from '../../../../test/support/expect.js';
import { NodeSha256 } from './node-sha256.js';
import { SigV4Verifier, type SignedRequest } from './sigv4-verifier.js';

const credentials = { accessKeyId: 'AKIDVERIFIERTEST', secretAccessKey: 'verifier-secret' };
const region = 'eu-central-1';

/** Signs like the SDK does (same signer), then turns the result into what the gateway receives. */
async function signedRequest(
  options: {
    body?: string;
    path?: string;
    query?: Record<string, string>;
    signingDate?: Date;
    secret?: string;
    extraHeaders?: Record<string, string>;
  } = {},
): Promise<SignedRequest> {
  const body = Buffer.from(options.body ?? '{"type":"pong"}');
  const path = options.path ?? '/dev/@connections/R1kmxc2VNj%2B%2FFIA%3D';
  const signer = new SignatureV4({
    credentials: { ...credentials, secretAccessKey: options.secret ?? credentials.secretAccessKey },
    region,
    service: 'execute-api',
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 3001,
      path,
      query: options.query ?? {},
      headers: {
        host: '127.0.0.1:3001',
        'content-type': 'application/octet-stream',
        'content-length': String(body.length),
        ...options.extraHeaders,
      },
      body,
    }),
    { signingDate: options.signingDate },
  );
  const headers = Object.fromEntries(
    Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const query = new URLSearchParams(options.query ?? {}).toString();
  return { method: 'POST', path, query, headers, body };
}

describe(SigV4Verifier.name, () => {
  const verifier = new SigV4Verifier(credentials, region);

  it('accepts a request signed with the configured credentials (path with encoded id, query string)', async () => {
    expect(await verifier.verify(await signedRequest())).toBeUndefined();
    expect(await verifier.verify(await signedRequest({ query: { b: '2', a: 'x y' } }))).toBeUndefined();
  });

  it('refuses an unsigned request', async () => {
    const request = await signedRequest();
    delete request.headers.authorization;
    expect(await verifier.verify(request)).toBe('Missing Authentication Token');
  });

  it('refuses a wrong secret, an unknown key, another region', async () => {
    expect(await verifier.verify(await signedRequest({ secret: 'guess' }))).toMatch(
      /signature we calculated does not match/,
    );
    const otherKey = await signedRequest();
    otherKey.headers.authorization = String(otherKey.headers.authorization).replace(
      credentials.accessKeyId,
      'AKIDOTHER',
    );
    expect(await verifier.verify(otherKey)).toMatch(/security token included in the request is invalid/);
    expect(await new SigV4Verifier(credentials, 'us-east-1').verify(await signedRequest())).toMatch(/valid region/);
  });

  it('refuses any change to what was signed: body, path, a signed header', async () => {
    const body = await signedRequest();
    body.body = Buffer.from('{"type":"evil"}');
    expect(await verifier.verify(body)).toMatch(/does not match/);
    const path = await signedRequest();
    path.path = '/dev/@connections/SOMEONEELSE%3D';
    expect(await verifier.verify(path)).toMatch(/does not match/);
    const header = await signedRequest();
    header.headers['content-type'] = 'text/plain';
    expect(await verifier.verify(header)).toMatch(/does not match/);
  });

  it('refuses a payload hash header that does not match the body', async () => {
    const request = await signedRequest({ extraHeaders: { 'x-amz-content-sha256': '0'.repeat(64) } });
    expect(await verifier.verify(request)).toMatch(/does not match/);
  });

  it('refuses a signature dated more than 5 minutes away, accepts 4 minutes', async () => {
    const now = Date.now();
    expect(await verifier.verify(await signedRequest({ signingDate: new Date(now - 6 * 60_000) }))).toMatch(
      /Signature expired/,
    );
    expect(await verifier.verify(await signedRequest({ signingDate: new Date(now + 6 * 60_000) }))).toMatch(
      /Signature expired/,
    );
    expect(await verifier.verify(await signedRequest({ signingDate: new Date(now - 4 * 60_000) }))).toBeUndefined();
  });

  it('refuses a signature that does not cover host, as AWS does', async () => {
    const signer = new SignatureV4({ credentials, region, service: 'execute-api', sha256: NodeSha256 });
    const body = '{"type":"pong"}';
    const path = '/dev/@connections/abc%3D';
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 3001,
        path,
        headers: { host: '127.0.0.1:3001', 'content-type': 'application/octet-stream' },
        body,
      }),
      { unsignableHeaders: new Set(['host']) },
    );
    const headers = Object.fromEntries(
      Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    expect(headers.authorization).not.toMatch(/SignedHeaders=[^,]*host/);
    expect(await verifier.verify({ method: 'POST', path, query: '', headers, body: Buffer.from(body) })).toBe(
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  });

  it('checks a signed payload hash request before its body, then the body against the hash', async () => {
    const body = '{"type":"bid"}';
    const request = await signedRequest({
      body,
      extraHeaders: { 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') },
    });
    const claim = verifier.checkHead(request);
    if (typeof claim === 'string') throw new Error(claim);
    expect(claim.payloadHash).toBeDefined();
    expect(await verifier.checkSignature({ ...request }, claim)).toBeUndefined();
    expect(verifier.checkBody(claim, Buffer.from(body))).toBeUndefined();
    expect(verifier.checkBody(claim, Buffer.from('{"type":"bix"}'))).toMatch(/does not match/);
    // A wrong secret is known before any body.
    const forged = await signedRequest({
      body,
      secret: 'guess',
      extraHeaders: { 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') },
    });
    const forgedClaim = verifier.checkHead(forged);
    if (typeof forgedClaim === 'string') throw new Error(forgedClaim);
    expect(await verifier.checkSignature({ ...forged }, forgedClaim)).toMatch(/does not match/);
  });

  it('refuses a malformed Authorization header', async () => {
    const request = await signedRequest();
    request.headers.authorization = 'AWS4-HMAC-SHA256 Credential=nonsense';
    expect(await verifier.verify(request)).toMatch(/requires 'Credential'/);
  });
});

describe('SigV4Verifier direct path (no SDK signer for the common request shape)', () => {
  const verifier = new SigV4Verifier(credentials, region);

  it('agrees with the SDK signer on paths with odd segments, encoded ids, stage or no stage', async () => {
    for (const path of [
      '/@connections/abc%3D',
      '/dev/@connections/R1k%2Bm%2Fx%3D',
      '/dev//@connections/./a',
      '/dev/x/../@connections/b',
      "/dev/@connections/it's(*)!",
      '/dev/@connections/a/',
    ]) {
      expect(await verifier.verify(await signedRequest({ path })), path).toBeUndefined();
    }
  });

  it('agrees on signed header values with runs of spaces and tabs, and on a signed payload hash', async () => {
    expect(await verifier.verify(await signedRequest({ extraHeaders: { 'x-custom': '  a \t  b  ' } }))).toBeUndefined();
    const body = '{"type":"bid"}';
    const hash = createHash('sha256').update(body).digest('hex');
    expect(
      await verifier.verify(await signedRequest({ body, extraHeaders: { 'x-amz-content-sha256': hash } })),
    ).toBeUndefined();
  });

  it("accepts the API's request shape (host and x-amz-date signed, no payload hash header), GET and DELETE too", async () => {
    // What apps/api's signer sends, signed here by the SDK's own signer (the API's is checked against it byte for byte).
    const signer = new SignatureV4({
      credentials,
      region,
      service: 'execute-api',
      sha256: NodeSha256,
      applyChecksum: false,
    });
    for (const method of ['POST', 'GET', 'DELETE']) {
      const path = '/dev/@connections/R1kmxc2VNjMCFIA%3D';
      const body = Buffer.from(method === 'POST' ? '{"type":"pong"}' : '');
      const signed = await signer.sign(
        new HttpRequest({
          method,
          protocol: 'http:',
          hostname: '127.0.0.1',
          port: 3001,
          path,
          headers: { host: '127.0.0.1:3001' },
          body,
        }),
      );
      expect(signed.headers.authorization).toContain('SignedHeaders=host;x-amz-date,');
      const request: SignedRequest = { method, path, query: '', headers: { ...signed.headers }, body };
      expect(await verifier.verify(request), method).toBeUndefined();
      expect(await verifier.verify({ ...request, method: method === 'GET' ? 'DELETE' : 'GET' })).toMatch(
        /does not match/,
      );
    }
  });

  it('still refuses a tampered id or body on the direct path', async () => {
    const request = await signedRequest({ path: '/@connections/abc%3D' });
    expect(await verifier.verify({ ...request, path: '/@connections/abd%3D' })).toMatch(/does not match/);
    expect(await verifier.verify({ ...request, body: Buffer.from('other') })).toMatch(/does not match/);
  });

  it('hashes a repeated body once but never trusts an old hash for new bytes', async () => {
    const memo = new SigV4Verifier(credentials, region);
    const first = await signedRequest({
      body: '{"type":"bid","n":1}',
      extraHeaders: { 'x-amz-content-sha256': createHash('sha256').update('{"type":"bid","n":1}').digest('hex') },
    });
    expect(await memo.verify(first)).toBeUndefined();
    expect(await memo.verify(first)).toBeUndefined();
    // Same length, other bytes, the first request's signature and payload hash: refused.
    expect(await memo.verify({ ...first, body: Buffer.from('{"type":"bid","n":2}') })).toMatch(/does not match/);
    expect(await memo.verify(await signedRequest({ body: '{"type":"bid","n":2}' }))).toBeUndefined();
    expect(await memo.verify(await signedRequest({ body: '{"type":"bid","n":1}' }))).toBeUndefined();
  });
});
