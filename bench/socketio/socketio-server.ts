/**
 * The baseline: the classic single-server design — one Node process holding every socket, a bid
 * arriving over HTTP and going out with `io.emit` (Socket.IO 4), or, for a bid that names its auction,
 * with `io.to(room).emit` to that auction's room (the auction-house phase). A client joins a room with
 * `emit('subscribe', auctionId, ack)`. Forked by the harness; it reports its port over IPC and exits
 * when the harness goes away.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

let nextEventId = 1;
let nextBidId = 1;
/** Bids per auction so far: the `seq` of Gavel's frame. */
const seqByAuction = new Map<string, number>();

const http = createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/bids') return void placeBid(request, response);
  response.writeHead(404).end();
});
const server = new Server(http, { transports: ['websocket'], serveClient: false });
const room = (auctionId: number | string): string => `auction:${String(auctionId)}`;

server.on('connection', (socket) => {
  socket.on('subscribe', (auctionId: unknown, ack?: (answer: { ok: boolean }) => void) => {
    if (typeof auctionId !== 'number' && typeof auctionId !== 'string') return ack?.({ ok: false });
    void socket.join(room(auctionId));
    ack?.({ ok: true });
  });
});

/** Same frame as Gavel's `bid` event, so both sides serialize and parse the same bytes. */
async function placeBid(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  let amountCents: unknown;
  let auctionId: unknown;
  try {
    ({ amountCents, auctionId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      amountCents?: unknown;
      auctionId?: unknown;
    });
  } catch {
    amountCents = undefined;
  }
  if (typeof amountCents !== 'number') {
    response.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"amountCents must be a number"}');
    return;
  }
  if (auctionId !== undefined && typeof auctionId !== 'number' && typeof auctionId !== 'string') {
    response.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"auctionId must be an id"}');
    return;
  }
  const createdAt = new Date().toISOString();
  const key = String(auctionId ?? 1);
  const seq = (seqByAuction.get(key) ?? 0) + 1;
  seqByAuction.set(key, seq);
  const bid = {
    auctionId: auctionId ?? 1,
    bidId: nextBidId++,
    seq,
    amountCents,
    bidderId: 1,
    bidderName: 'Bench bidder',
    createdAt,
  };
  const frame = { type: 'bid', id: String(nextEventId++), ts: createdAt, data: bid };
  if (auctionId === undefined) server.emit('bid', frame);
  else server.to(room(auctionId)).emit('bid', frame);
  response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(bid));
}

http.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (http.address() as AddressInfo).port });
});
process.on('disconnect', () => process.exit(0));
