import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { cpuTimeMs, waitUntilQuiet } from './proc-stats.js';

describe('waitUntilQuiet', () => {
  it('returns after one window when the processes are idle', async () => {
    const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10_000)']);
    try {
      await sleep(300); // past its start-up
      const waited = await waitUntilQuiet([idle.pid!], { busyFraction: 0.2, windowMs: 100, maxMs: 5_000 });
      // Returned because it saw the process idle, not because the time was up.
      expect(waited).toBeLessThan(5_000);
    } finally {
      idle.kill();
    }
  });

  it('gives up after maxMs while a process keeps a core busy', async () => {
    const busy = spawn(process.execPath, ['-e', 'for (;;) {}']);
    try {
      const before = cpuTimeMs(busy.pid!);
      const waited = await waitUntilQuiet([busy.pid!], { busyFraction: 0.05, windowMs: 100, maxMs: 600 });
      expect(waited).toBeGreaterThanOrEqual(600);
      expect(cpuTimeMs(busy.pid!)).toBeGreaterThan(before);
    } finally {
      busy.kill();
    }
  });
});
