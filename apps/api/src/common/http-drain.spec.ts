import { createServer, request, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { HttpDrain } from './http-drain.js';

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

function get(port: number, path: string, agent: Agent): Promise<Answer> {
  return new Promise((done, fail) => {
    request({ port, host: '127.0.0.1', path, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => done({ status: response.statusCode!, connection: response.headers.connection, body }));
    })
      .on('error', fail)
      .end();
  });
}

describe(HttpDrain.name, () => {
  let server: Server | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  afterEach(async () => {
    agent.destroy();
    await new Promise((done) => server?.close(done));
  });

  async function start(): Promise<{ drain: HttpDrain; port: number }> {
    server = createServer((req, res) => res.end(`app ${req.url}`));
    const drain = new HttpDrain(server);
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    return { drain, port: (server.address() as AddressInfo).port };
  }

  it('passes every request to the application, keep-alive, until it drains', async () => {
    const { drain, port } = await start();
    expect(await get(port, '/health', agent)).toEqual({ status: 200, connection: 'keep-alive', body: 'app /health' });
    expect(drain.isDraining).toBe(false);
  });

  it('while draining: fails the health check, still serves the rest, and closes each connection after its answer', async () => {
    const { drain, port } = await start();
    await get(port, '/bids', agent);
    await drain.drain(0);
    expect(drain.isDraining).toBe(true);
    const health = await get(port, '/health?probe=1', agent);
    expect(health).toMatchObject({ status: 503, connection: 'close' });
    expect(JSON.parse(health.body)).toEqual({
      message: 'Shutting down',
      error: 'Service Unavailable',
      statusCode: 503,
    });
    expect(await get(port, '/bids', agent)).toEqual({ status: 200, connection: 'close', body: 'app /bids' });
  });
});
