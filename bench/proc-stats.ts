/** CPU time and memory of another process, from Linux's /proc (the bench runs on Linux). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU time the process has used so far, in milliseconds (resolution: one clock tick, 10 ms). */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / clockTicks();
}

/** Resident set size in KB (VmRSS). */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}

/** The soft limit on open files (`ulimit -n`) this process and its children inherit; undefined when unknown. */
export function openFilesLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!match) return undefined;
    return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
  } catch {
    return undefined;
  }
}

/**
 * Waits until the processes together use less than `busyFraction` of one core over `windowMs`, or
 * `maxMs` passed; returns how long it waited. A phase that starts while the previous one is still
 * being taken down (a server closing thousands of sockets, a client collecting their garbage)
 * measures that work too.
 */
export async function waitUntilQuiet(
  pids: readonly number[],
  options: { busyFraction: number; windowMs: number; maxMs: number },
): Promise<number> {
  const started = performance.now();
  const total = (): number => pids.reduce((sum, pid) => sum + cpuTimeMs(pid), 0);
  let before = total();
  while (performance.now() - started < options.maxMs) {
    await sleep(options.windowMs);
    const now = total();
    if (now - before < options.windowMs * options.busyFraction) break;
    before = now;
  }
  return performance.now() - started;
}
