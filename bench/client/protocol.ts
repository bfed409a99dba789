/** Messages between the harness and its load-client processes (child_process IPC). */

export type SystemUnderTest = 'gavel' | 'socketio';

export interface ConnectCommand {
  type: 'connect';
  id: number;
  system: SystemUnderTest;
  url: string;
  /** Gavel: one JWT per connection to open (sent in `{"action":"auth"}`); Socket.IO: only the count matters. */
  tokens: string[];
  /** Open-loop arrival rate for this process. */
  ratePerSec: number;
  /** Connections still opening at once, at most (protects the client when the server falls behind). */
  maxInFlight: number;
  timeoutMs: number;
}

/** Answers when every open connection of `system` has received each bid key, or at the timeout. */
export interface AwaitBidsCommand {
  type: 'await-bids';
  id: number;
  system: SystemUnderTest;
  keys: number[];
  timeoutMs: number;
}

/** Gavel: subscribes every open connection not yet watching it to the auction, and answers once each got `subscribed`. */
export interface WatchCommand {
  type: 'watch';
  id: number;
  auctionId: number | string;
  timeoutMs: number;
}

export interface WatchResult {
  subscribed: number;
  failed: number;
}

/**
 * The auction-house workload: each open connection of `system` (in the order they opened) watches
 * `minPerConnection`…`maxPerConnection` distinct auctions of `auctionIds`, drawn from `seed` — the same
 * seed gives Gavel and Socket.IO the same assignment. Answers once every subscribe was confirmed.
 */
export interface WatchSetCommand {
  type: 'watch-set';
  id: number;
  system: SystemUnderTest;
  seed: number;
  auctionIds: Array<number | string>;
  minPerConnection: number;
  maxPerConnection: number;
  timeoutMs: number;
}

export interface WatchSetResult {
  connections: number;
  subscribed: number;
  failed: Record<string, number>;
  /** Auction id → this process's connections confirmed watching it. */
  watchers: Record<string, number>;
}

/** Waits until each bid has reached every connection of this process watching its auction, or the timeout. */
export interface AwaitAuctionBidsCommand {
  type: 'await-auction-bids';
  id: number;
  system: SystemUnderTest;
  bids: Array<{ amountCents: number; auctionId: number | string }>;
  timeoutMs: number;
}

export interface AwaitAuctionBidsResult {
  /** amountCents → receipts on this process's connections. */
  receipts: Record<string, BidReceipts>;
  /** Bid frames that reached a connection not watching their auction (since the last watch-set). */
  stray: number;
  /** Bid frames whose `seq` was not above the last one that connection got for the auction (duplicates, reordering). */
  outOfOrder: number;
}

/** Notification deliveries since the last collect (latency of each), without waiting. */
export interface CollectNotificationsCommand {
  type: 'collect-notifications';
  id: number;
}

export interface CloseCommand {
  type: 'close';
  id: number;
  system: SystemUnderTest;
}

export type ClientCommand =
  | ConnectCommand
  | AwaitBidsCommand
  | WatchCommand
  | WatchSetCommand
  | AwaitAuctionBidsCommand
  | CollectNotificationsCommand
  | CloseCommand;

export interface ConnectResult {
  /** Latency of each successful connection: WebSocket open + auth until `auth.ok` (Socket.IO: until `connect`). */
  latenciesMs: number[];
  /** Failure reason → count. */
  failures: Record<string, number>;
  firstStartedAt: number;
  lastDoneAt: number;
  open: number;
}

export interface BidReceipts {
  count: number;
  first: number;
  last: number;
}

export interface AwaitBidsResult {
  open: number;
  receipts: Record<string, BidReceipts>;
}

export interface CollectNotificationsResult {
  latenciesMs: number[];
  lastAt: number;
}

export interface CloseResult {
  closed: number;
}

export type ClientReply =
  | { type: 'done'; id: number; result: unknown }
  | { type: 'failed'; id: number; message: string }
  | { type: 'progress'; id: number; done: number };
