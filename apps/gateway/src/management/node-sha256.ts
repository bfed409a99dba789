import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

/** What @smithy/signature-v4 hands a hash as key or data. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

/**
 * SHA-256 / HMAC-SHA-256 on Node's native crypto for @smithy/signature-v4. Written here because the
 * SDK's own Node implementation (@smithy/hash-node) is not a direct dependency, and the pure-JS
 * @aws-crypto/sha256-js would be several times slower on the management API's hot path.
 */
export class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.create();
  }

  update(data: Uint8Array | string): void {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }

  reset(): void {
    this.hash = this.create();
  }

  private create(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    return createHmac('sha256', toBytes(this.secret));
  }
}

function toBytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}
