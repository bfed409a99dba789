/**
 * The progress line on stderr: rewritten in place on a terminal; elsewhere (CI, a log file) one line
 * per phase and at most one update every few seconds, so logs stay readable.
 */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastPrinted = 0;
  private lastText = '';

  update(text: string): void {
    if (this.tty) {
      process.stderr.write(`\r\x1b[K${text}`);
      this.lastText = text;
      return;
    }
    const now = Date.now();
    if (now - this.lastPrinted < 3_000) return;
    this.lastPrinted = now;
    process.stderr.write(`${text}\n`);
  }

  /** A line that stays (phase results, notes). */
  log(line: string): void {
    if (this.tty && this.lastText) process.stderr.write('\r\x1b[K');
    this.lastText = '';
    this.lastPrinted = 0;
    process.stderr.write(`${line}\n`);
  }

  done(): void {
    if (this.tty && this.lastText) process.stderr.write('\r\x1b[K');
    this.lastText = '';
  }
}
