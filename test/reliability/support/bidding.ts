/**
 * Bidders that bid for a while and record every answer, and the check that the database holds every
 * accepted bid: the "nothing accepted is lost" half of the load and outage tests.
 */
import { setTimeout as sleep } from 'node:timers/promises';
// @ts-expect-error -- better-sqlite3 ships no types and @types/better-sqlite3 is not installed; used untyped here.
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import { http } from './http.js';
import type { TestUser } from './users.js';

export interface AcceptedBid {
  id: string;
  auctionId: string;
  amountCents: number;
  /** ms since the bidding started, when the 201 arrived. */
  at: number;
}

export interface BidLog {
  accepted: AcceptedBid[];
  /** status (or `unreachable`) → count. */
  statuses: Record<string, number>;
  /** 5xx answers with when they came and what they said. */
  serverErrors: Array<{ status: number; at: number; body: string }>;
}

export interface BiddingOptions {
  apiUrl: string;
  bidders: readonly TestUser[];
  auctionIds: readonly (string | number)[];
  durationMs: number;
  /** Pause of each bidder between two bids. */
  pauseMs: number;
  /** Called once per answer (e.g. to trigger a fault at the right moment). */
  onAnswer?: (status: number | 'unreachable') => void;
  /** Stops early when it returns true. */
  stop?: () => boolean;
}

/** Amounts rise by one cent step per bid across all bidders, so most bids are accepted and the rest are honest 409s. */
export async function runBidders(options: BiddingOptions): Promise<BidLog> {
  const log: BidLog = { accepted: [], statuses: {}, serverErrors: [] };
  const started = Date.now();
  const deadline = started + options.durationMs;
  let counter = 0;
  const bidder = async (user: TestUser, index: number) => {
    while (Date.now() < deadline && !options.stop?.()) {
      const auctionId = options.auctionIds[(index + counter) % options.auctionIds.length]!;
      const amountCents = 100_000 + ++counter * 100;
      let status: number | 'unreachable';
      try {
        const answer = await http(options.apiUrl, `/auctions/${auctionId}/bids`, {
          token: user.token,
          body: { amountCents },
          timeoutMs: 30_000,
        });
        status = answer.status;
        if (status === 201)
          log.accepted.push({
            id: String(answer.body.id),
            auctionId: String(answer.body.auctionId),
            amountCents: answer.body.amountCents,
            at: Date.now() - started,
          });
        if (status >= 500) log.serverErrors.push({ status, at: Date.now() - started, body: answer.text.slice(0, 300) });
      } catch {
        status = 'unreachable';
      }
      log.statuses[status] = (log.statuses[status] ?? 0) + 1;
      options.onAnswer?.(status);
      await sleep(options.pauseMs);
    }
  };
  await Promise.all(options.bidders.map((user, index) => bidder(user, index)));
  return log;
}

export interface StoredBid {
  id: string;
  auctionId: string;
  amountCents: number;
}

export interface StoredAuction {
  id: string;
  currentPriceCents: number;
  bidCount: number;
}

/** Reads bids and auctions straight from the database (not through the API under test). */
export async function readBidsFromDatabase(
  databaseUrl: string,
): Promise<{ bids: StoredBid[]; auctions: StoredAuction[] }> {
  const bidsSql = 'SELECT id, auction_id AS auctionId, amount_cents AS amountCents FROM bids ORDER BY id';
  const auctionsSql = 'SELECT id, current_price_cents AS currentPriceCents, bid_count AS bidCount FROM auctions';
  type Row = Record<string, string | number>;
  let bidRows: Row[];
  let auctionRows: Row[];
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
    try {
      bidRows = db.prepare(bidsSql).all() as Row[];
      auctionRows = db.prepare(auctionsSql).all() as Row[];
    } finally {
      db.close();
    }
  } else {
    const connection = await createConnection(databaseUrl.replace(/^mariadb:/, 'mysql:'));
    try {
      bidRows = (await connection.query(bidsSql))[0] as Row[];
      auctionRows = (await connection.query(auctionsSql))[0] as Row[];
    } finally {
      await connection.end();
    }
  }
  return {
    bids: bidRows.map((r) => ({
      id: String(r.id),
      auctionId: String(r.auctionId),
      amountCents: Number(r.amountCents),
    })),
    auctions: auctionRows.map((r) => ({
      id: String(r.id),
      currentPriceCents: Number(r.currentPriceCents),
      bidCount: Number(r.bidCount),
    })),
  };
}

/**
 * Every accepted bid is stored with its amount; per auction the stored bids rise strictly in id order
 * and the auction's price is the highest bid. Returns the problems found (empty: nothing lost).
 */
export function checkNothingLost(
  accepted: readonly AcceptedBid[],
  stored: { bids: StoredBid[]; auctions: StoredAuction[] },
): string[] {
  const problems: string[] = [];
  const byId = new Map(stored.bids.map((bid) => [bid.id, bid]));
  for (const bid of accepted) {
    const row = byId.get(bid.id);
    if (!row) problems.push(`accepted bid ${bid.id} (${bid.amountCents}) is not in the database`);
    else if (row.amountCents !== bid.amountCents || row.auctionId !== bid.auctionId)
      problems.push(`bid ${bid.id} stored as ${JSON.stringify(row)}, accepted as ${JSON.stringify(bid)}`);
  }
  const perAuction = new Map<string, StoredBid[]>();
  for (const bid of stored.bids) perAuction.set(bid.auctionId, [...(perAuction.get(bid.auctionId) ?? []), bid]);
  for (const auction of stored.auctions) {
    const bids = perAuction.get(auction.id) ?? [];
    for (let i = 1; i < bids.length; i++) {
      if (bids[i]!.amountCents <= bids[i - 1]!.amountCents)
        problems.push(
          `auction ${auction.id}: bid ${bids[i]!.id} (${bids[i]!.amountCents}) is not above bid ${bids[i - 1]!.id}`,
        );
    }
    if (bids.length > 0 && auction.currentPriceCents !== bids.at(-1)!.amountCents)
      problems.push(
        `auction ${auction.id}: price ${auction.currentPriceCents} is not its highest bid ${bids.at(-1)!.amountCents}`,
      );
    if (auction.bidCount !== bids.length)
      problems.push(`auction ${auction.id}: bid_count ${auction.bidCount} but ${bids.length} bids stored`);
  }
  return problems;
}
