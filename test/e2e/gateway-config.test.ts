/**
 * The compiled local gateway's start-up configuration: on an address that reaches the network it refuses
 * the published development credentials and key, naming each, and never opens the port.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { freePort } from '../support/ports.js';
import { ensureBuilt } from '../support/stack.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const gatewayJs = resolve(repoRoot, 'dist/apps/gateway/src/main.js');

/** Runs the compiled gateway until it exits or says it listens; then stops it. */
function runGateway(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [gatewayJs], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', GATEWAY_LOG: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not finish in time:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('listening')) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: output.includes('listening') ? null : code, output });
    });
  });
}

describe('local gateway start-up configuration', () => {
  it('refuses the development credentials and key on GATEWAY_HOST=0.0.0.0, naming each variable, until they are set', async () => {
    await ensureBuilt();
    const port = await freePort();
    const { code, output } = await runGateway({ GATEWAY_HOST: '0.0.0.0', GATEWAY_PORT: String(port) });
    expect(code).toBe(1);
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'GATEWAY_API_KEY']) {
      expect(output).toContain(
        `${name}: the development default is refused because GATEWAY_HOST=0.0.0.0 is not a loopback address; set it explicitly`,
      );
    }
    expect(output).not.toContain('listening');

    // Set explicitly, the same address is fine.
    const accepted = await runGateway({
      GATEWAY_HOST: '0.0.0.0',
      GATEWAY_PORT: String(port),
      AWS_ACCESS_KEY_ID: 'AKIDOPERATORCHOSEN01',
      AWS_SECRET_ACCESS_KEY: 'operator-chosen-signing-secret',
      GATEWAY_API_KEY: 'operator-gateway-key-01',
    });
    expect(accepted.output).toContain('Local API Gateway listening');
    expect(accepted.code).toBeNull();
  });
});
