/**
 * The baseline: the classic single-server design — one Node process holding every socket, a bid
 * arriving over HTTP and going out with `io.emit` (Socket.IO 4). Forked by the harness; it reports
 * its port over IPC and exits when the harness goes away.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

let nextEventId = 1;
let nextBidId = 1;

const http = createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/bids') return void placeBid(request, response);
  response.writeHead(404).end();
});
const server = new Server(http, { transports: ['websocket'], serveClient: false });

/** Same frame as Gavel's `bid` event, so both sides serialize and parse the same bytes. */
async function placeBid(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  let amountCents: unknown;
  try {
    amountCents = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { amountCents?: unknown }).amountCents;
  } catch {
    amountCents = undefined;
  }
  if (typeof amountCents !== 'number') {
    response.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"amountCents must be a number"}');
    return;
  }
  const createdAt = new Date().toISOString();
  const bid = { auctionId: 1, bidId: nextBidId++, amountCents, bidderId: 1, bidderName: 'Bench bidder', createdAt };
  server.emit('bid', { type: 'bid', id: String(nextEventId++), ts: createdAt, data: bid });
  response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(bid));
}

http.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (http.address() as AddressInfo).port });
});
process.on('disconnect', () => process.exit(0));
