/**
 * The yardstick: a minimal node:http server that reads a small POST body and answers 200 with an empty
 * body, which is what one PostToConnection costs the receiving side at the least. Forked by the harness;
 * it reports its port over IPC and exits when the harness goes away.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((request, response) => {
  let bytes = 0;
  request.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  request.on('end', () => {
    response.writeHead(bytes > 0 ? 200 : 400, { 'content-length': '0' }).end();
  });
});
// As long as the API keeps its keep-alive sockets (65 s): the measurement must never pay a reconnect.
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => process.exit(0));
