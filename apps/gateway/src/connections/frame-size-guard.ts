/**
 * API Gateway's 32 KB limit applies to each WebSocket frame, while `ws` only enforces a limit on whole
 * messages (`maxPayload`, used here for the 128 KB message limit). This guard reads the frame headers
 * of the client's byte stream (in order, before `ws` parses it) and reports the first data frame whose
 * declared payload length is over the limit. Payload bytes are skipped, not copied.
 */
export class FrameSizeGuard {
  private readonly header: number[] = [];
  private payloadLeft = 0;
  private tripped = false;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onOversize: (frameBytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && !this.tripped) {
      if (this.payloadLeft > 0) {
        const skip = Math.min(this.payloadLeft, chunk.length - i);
        this.payloadLeft -= skip;
        i += skip;
        continue;
      }
      this.header.push(chunk[i++]!);
      this.readHeader();
    }
  }

  /** Consumes `this.header` once it holds a whole frame header. */
  private readHeader(): void {
    const h = this.header;
    if (h.length < 2) return;
    const short = h[1]! & 0x7f;
    const masked = (h[1]! & 0x80) !== 0;
    const lengthBytes = short === 126 ? 2 : short === 127 ? 8 : 0;
    if (h.length < 2 + lengthBytes + (masked ? 4 : 0)) return;

    let length = short;
    if (short === 126) length = (h[2]! << 8) | h[3]!;
    else if (short === 127) {
      length = 0;
      for (let k = 2; k < 10; k++) length = length * 256 + h[k]!;
    }
    const opcode = h[0]! & 0x0f;
    h.length = 0;
    // Control frames (opcode ≥ 8) are limited to 125 bytes by the protocol itself.
    if (opcode < 0x8 && length > this.maxFrameBytes) {
      this.tripped = true;
      this.onOversize(length);
      return;
    }
    this.payloadLeft = length;
  }
}
