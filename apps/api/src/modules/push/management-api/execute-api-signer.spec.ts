import { createHash, createHmac } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, it } from '@jest/globals';
import { expect } from '../../../../../../test/support/expect.js';
import { ExecuteApiSigner, encodeRfc3986, hashPayload } from './execute-api-signer.js';

class NodeSha256 {
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

async function referenceAuthorization(
  path: string,
  body: Uint8Array,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  now: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: 'eu-west-1',
    credentials,
    sha256: NodeSha256 as never,
    applyChecksum: false,
  });
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'https:',
    hostname: 'abc123.execute-api.eu-west-1.amazonaws.com',
    path,
    headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com' },
    body,
  });
  const signed = await signer.sign(request, { signingDate: now });
  return signed.headers;
}

describe(ExecuteApiSigner.name, () => {
  const now = new Date('2026-11-24T05:59:07.123Z');
  const body = Buffer.from(JSON.stringify({ type: 'bid', data: { amountCents: 1200 } }));
  const path = `/prod/@connections/${encodeRfc3986('R1kmxc2VNjMCFIA=')}`;

  it('produces the same signature as @smithy/signature-v4', async () => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    const ours = new ExecuteApiSigner('eu-west-1').sign(
      { method: 'POST', host: 'abc123.execute-api.eu-west-1.amazonaws.com', path, payloadHash: hashPayload(body) },
      credentials,
      now.getTime(),
    );
    const reference = await referenceAuthorization(path, body, credentials, now);
    expect(ours['x-amz-date']).toBe('20261124T055907Z');
    expect(ours.authorization).toBe(reference.authorization);
  });

  it('signs the session token of temporary credentials', async () => {
    const credentials = {
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'FwoGZXIvYXdzEJr//////////wEaDK',
    };
    const ours = new ExecuteApiSigner('eu-west-1').sign(
      { method: 'POST', host: 'abc123.execute-api.eu-west-1.amazonaws.com', path, payloadHash: hashPayload(body) },
      credentials,
      now.getTime(),
    );
    const reference = await referenceAuthorization(path, body, credentials, now);
    expect(ours['x-amz-security-token']).toBe(credentials.sessionToken);
    expect(ours.authorization).toBe(reference.authorization);
  });

  it('changes the signature with the secret, the path and the body', () => {
    const signer = new ExecuteApiSigner('us-east-1');
    const request = {
      method: 'POST',
      host: '127.0.0.1:3001',
      path: '/@connections/abc%3D',
      payloadHash: hashPayload(body),
    };
    const base = signer.sign(request, { accessKeyId: 'a', secretAccessKey: 'one' }, now.getTime()).authorization;
    expect(signer.sign(request, { accessKeyId: 'a', secretAccessKey: 'two' }, now.getTime()).authorization).not.toBe(
      base,
    );
    expect(
      signer.sign(
        { ...request, path: '/@connections/abd%3D' },
        { accessKeyId: 'a', secretAccessKey: 'one' },
        now.getTime(),
      ).authorization,
    ).not.toBe(base);
    expect(
      signer.sign(
        { ...request, payloadHash: hashPayload('other') },
        { accessKeyId: 'a', secretAccessKey: 'one' },
        now.getTime(),
      ).authorization,
    ).not.toBe(base);
  });

  it('signs paths with empty, `.` and `..` segments as @smithy/signature-v4 does', async () => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
    const signer = new ExecuteApiSigner('eu-west-1');
    for (const odd of ['/a/./b/../c', '/prod//@connections/x', '/prod/@connections/x/', '/', "/odd/it's(x)"]) {
      const ours = signer.sign(
        {
          method: 'POST',
          host: 'abc123.execute-api.eu-west-1.amazonaws.com',
          path: odd,
          payloadHash: hashPayload(body),
        },
        credentials,
        now.getTime(),
      );
      expect(ours.authorization, odd).toBe((await referenceAuthorization(odd, body, credentials, now)).authorization);
    }
  });
});
