import { describe, expect, it } from '@jest/globals';
import { FrameSizeGuard } from './frame-size-guard.js';

/** A masked client frame as a browser sends it. */
function clientFrame(opcode: number, payloadLength: number, fin = true): Buffer {
  const header: number[] = [(fin ? 0x80 : 0) | opcode];
  if (payloadLength < 126) header.push(0x80 | payloadLength);
  else if (payloadLength < 65536) header.push(0x80 | 126, payloadLength >> 8, payloadLength & 0xff);
  else {
    header.push(0x80 | 127);
    for (let k = 7; k >= 0; k--) header.push(Math.floor(payloadLength / 2 ** (8 * k)) & 0xff);
  }
  return Buffer.concat([Buffer.from(header), Buffer.from([1, 2, 3, 4]), Buffer.alloc(payloadLength, 0x61)]);
}

function run(limit: number, chunks: Buffer[]): number[] {
  const seen: number[] = [];
  const guard = new FrameSizeGuard(limit, (size) => seen.push(size));
  for (const chunk of chunks) guard.push(chunk);
  return seen;
}

describe(FrameSizeGuard.name, () => {
  it('passes frames up to the limit, with 7-, 16- and 64-bit lengths', () => {
    expect(run(70_000, [clientFrame(1, 10), clientFrame(2, 1000), clientFrame(1, 70_000)])).toEqual([]);
  });

  it('reports the first data frame over the limit, once', () => {
    expect(run(1024, [clientFrame(1, 1024), clientFrame(1, 1025), clientFrame(1, 5000)])).toEqual([1025]);
    expect(run(65_536, [clientFrame(2, 65_537)])).toEqual([65_537]);
  });

  it('checks each fragment (continuation frames too), not the message', () => {
    const fragments = [clientFrame(1, 1000, false), clientFrame(0, 1000, false), clientFrame(0, 1000, true)];
    expect(run(1024, fragments)).toEqual([]);
    expect(run(1024, [clientFrame(1, 1000, false), clientFrame(0, 2000, true)])).toEqual([2000]);
  });

  it('follows frames split across chunks at any byte, including inside the header', () => {
    const stream = Buffer.concat([clientFrame(1, 300), clientFrame(1, 200), clientFrame(1, 600)]);
    const byteByByte = Array.from(stream, (byte) => Buffer.from([byte]));
    expect(run(500, byteByByte)).toEqual([600]);
    expect(run(500, [stream.subarray(0, 3), stream.subarray(3, 310), stream.subarray(310)])).toEqual([600]);
  });

  it('ignores control frames (ping, close), which the protocol caps at 125 bytes', () => {
    expect(run(10, [clientFrame(9, 100), clientFrame(8, 2), clientFrame(1, 10)])).toEqual([]);
  });
});
