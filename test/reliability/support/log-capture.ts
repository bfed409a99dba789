/**
 * Captures what this process writes to stdout and stderr (Nest's logger, console.*, the Lambdas'
 * console.error), so tests can grep the log for secrets. Output is kept, not echoed; set
 * RELIABILITY_ECHO_LOGS=1 to see it while debugging.
 */
export class LogCapture {
  private chunks: string[] = [];
  private restore: (() => void) | undefined;

  start(): void {
    if (this.restore) return;
    const echo = process.env.RELIABILITY_ECHO_LOGS === '1';
    const originalOut = process.stdout.write.bind(process.stdout);
    const originalErr = process.stderr.write.bind(process.stderr);
    const wrap = (original: typeof process.stdout.write) =>
      ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        if (echo) return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
        const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }) as typeof process.stdout.write;
    process.stdout.write = wrap(originalOut);
    process.stderr.write = wrap(originalErr);
    // console.* too: the test runner routes it around process.stdout, and the Lambdas log with console.error.
    const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    const originals = methods.map((method) => console[method]);
    for (const method of methods) {
      const original = console[method];
      console[method] = (...args: unknown[]) => {
        this.chunks.push(
          `${args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`,
        );
        if (echo) original(...args);
      };
    }
    this.restore = () => {
      process.stdout.write = originalOut;
      process.stderr.write = originalErr;
      methods.forEach((method, i) => (console[method] = originals[i]!));
    };
  }

  stop(): void {
    this.restore?.();
    this.restore = undefined;
  }

  /** Everything captured so far. */
  text(): string {
    return this.chunks.join('');
  }

  /** Adds text captured elsewhere (a child process's stdout/stderr). */
  append(text: string): void {
    this.chunks.push(text);
  }
}

/** The secrets (by name) that occur in `text`; an empty list means nothing leaked. */
export function leakedSecrets(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, value]) => value.length >= 8 && text.includes(value))
    .map(([name]) => name);
}
