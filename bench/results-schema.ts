/** The shape of bench/results/latest.json (also what the table and the chart are drawn from). */

export interface LatencyFigures {
  p50Ms: number;
  p99Ms: number;
}

export interface ConnectFigures extends LatencyFigures {
  /** Connections opened and authenticated in this phase. */
  count: number;
  failed: number;
  /** Offered arrival rate (open loop). */
  offeredPerSec: number;
  /** Completed connections / time from the first attempt to the last auth.ok. */
  achievedPerSec: number;
  /** CPU (user + system, from /proc) of each process over the phase, per authenticated connection. */
  apiCpuUsPerConnection?: number;
  gatewayCpuUsPerConnection?: number;
}

export interface FanOutFigures extends LatencyFigures {
  /** Repetitions measured (one bid or emit each). */
  reps: number;
  /** Deliveries that never arrived within the timeout, over all repetitions. */
  missed: number;
  /** Back-to-back burst: deliveries / time from the first send to the last receipt. */
  sustainedPerSec: number;
}

export interface GavelFanOutFigures extends FanOutFigures {
  apiCpuUsPerPush: number;
  gatewayCpuUsPerPush: number;
  /** apiCpuUsPerPush / the run's bare keep-alive POST CPU (what the machine allows, independent of its speed). */
  apiCpuPerPushInBarePosts?: number;
}

/** One bare keep-alive HTTP POST answered by a minimal node:http server: its CPU on this machine. */
export interface BarePostFigures {
  requests: number;
  /** The server's CPU (user + system, from /proc) per request, µs: the median of BARE_POST_SLICES slices. */
  cpuUsPerRequest: number;
  /** The lowest and highest slice (absent in results written before slices). */
  cpuUsPerRequestRange?: [number, number];
  /**
   * The sending side's CPU per request, µs: the same POSTs sent through undici with nothing else (no
   * signature, no SDK) — the least one push can cost the API, since AWS takes one PostToConnection per connection.
   */
  senderCpuUsPerRequest?: number;
}

/** One system (Gavel, or Socket.IO rooms) on the auction-house workload. */
export interface AuctionHouseSystemFigures extends LatencyFigures {
  /** Bids answered 201 (Gavel) — these are the bids measured. */
  acceptedBids: number;
  /** Bids not accepted: answer status (or error) → count. */
  rejectedBids: Record<string, number>;
  /** Accepted bids / time from the first send to the last answer. */
  achievedBidsPerSec: number;
  /** Mean over accepted bids of the watchers of the bid's auction (the pushes a bid must cost). */
  watchersPerBid: number;
  /** Mean over accepted bids of the bid frames received. */
  pushesPerBid: number;
  /** Accepted bids whose received frames differ from their auction's watchers (must be 0). */
  mismatchedBids: number;
  /** Deliveries missing (fewer frames than watchers) and surplus (more), over all bids. */
  missed: number;
  surplus: number;
  /** Bid frames on a connection not watching their auction, and frames whose seq did not increase (must be 0). */
  stray: number;
  outOfOrder: number;
  /** Pushes received over the phase. */
  pushes: number;
  /** CPU of the server process (Gavel: the API; Socket.IO: its one server) per accepted bid and per push, µs. */
  serverCpuUsPerBid: number;
  serverCpuUsPerPush: number;
}

export interface GavelAuctionHouseFigures extends AuctionHouseSystemFigures {
  gatewayCpuUsPerPush: number;
  /** serverCpuUsPerPush (the API's) / the phase's bare keep-alive POST CPU. */
  apiCpuPerPushInBarePosts: number;
  /**
   * The API's CPU at rest just before the bids (timers, metrics, GC), ms per second: it is inside the
   * per-bid figure too (at 20 bids/s, 1 ms/s of it adds 50 µs per bid).
   */
  apiIdleCpuMsPerSec?: number;
}

export interface AuctionHouseFigures {
  /** Connections (each system holds this many during its part). */
  n: number;
  auctions: number;
  watchesPerConnection: { min: number; max: number };
  /** Subscriptions confirmed, and those that failed (reason → count), per system. */
  subscriptions: number;
  subscribeFailures: Record<string, number>;
  offeredBidsPerSec: number;
  seconds: number;
  seed: number;
  /** Bidder users (no connections) the bids are spread over, and the most bids one of them sent in any 1 s. */
  bidders: number;
  maxBidsPerBidderPerSec: number;
  /** The per-user bid rate limit the bidders stay under (the default of BID_RATE_LIMIT). */
  bidRateLimitPerSec: number;
  barePost: BarePostFigures;
  gavel: GavelAuctionHouseFigures;
  socketIo?: AuctionHouseSystemFigures;
  /** Gavel p99 / Socket.IO rooms p99 (target ≤ 3), and the same for p50. */
  p99Ratio?: number;
  p50Ratio?: number;
}

/**
 * `--replicas K`: the auction-house phase (Gavel only) again, through HAProxy on K API copies on the same
 * database, after the one-copy stack stopped. Its `gavel.serverCpuUsPerBid` / `serverCpuUsPerPush` /
 * `apiCpuPerPushInBarePosts` sum the CPU of every copy (the cost of a bid to the whole fleet).
 */
export interface ReplicatedAuctionHouseFigures {
  copies: number;
  balancer: 'haproxy';
  /** The CPU each copy used over the bids, ms (how evenly HAProxy spread the work). */
  apiCpuMsPerCopy: number[];
  auctionHouse: AuctionHouseFigures;
}

export interface NotificationFigures extends LatencyFigures {
  notifications: number;
  deliveries: number;
  missed: number;
  deliveredPerSec: number;
  /** The API's CPU over the phase per delivery, µs, and as a multiple of the run's bare POST. */
  apiCpuUsPerPush?: number;
  apiCpuPerPushInBarePosts?: number;
}

export interface RunFigures {
  n: number;
  connect?: ConnectFigures;
  gatewayRssKbPerConnection?: number;
  /** The bare keep-alive POST measured in this size's run, the unit of the "× bare POST" figures. */
  barePost?: BarePostFigures;
  bid?: GavelFanOutFigures;
  notifications?: NotificationFigures;
  socketIo?: FanOutFigures;
  /** Gavel bid p50 / Socket.IO p50. */
  ratio?: number;
  /** Phases that could not run, with the reason (e.g. an endpoint the API does not have). */
  skipped: Record<string, string>;
}

export interface LambdaFigures {
  name: string;
  bytes: number;
  coldImportMs: number;
}

export interface BenchResults {
  version: 1;
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryMb: number;
    node: string;
    platform: string;
    /** 1-minute load average at the start and at the end: other work on the machine skews every figure. */
    loadAverage: { start: number; end: number };
  };
  database: 'sqlite' | 'mysql';
  settings: {
    clients: number;
    reps: number;
    connectRatePerSec: number;
    gatewayNewConnectionsPerSecond: number;
    usersPerConnection: number;
    notificationConcurrency: number;
  };
  runs: RunFigures[];
  /** The auction-house phase (absent when not run; why, in auctionHouseSkipped). */
  auctionHouse?: AuctionHouseFigures;
  auctionHouseSkipped?: string;
  /** `--replicas K` (absent without it; why it failed, in auctionHouseReplicasSkipped). */
  auctionHouseReplicas?: ReplicatedAuctionHouseFigures;
  auctionHouseReplicasSkipped?: string;
  lambdas: LambdaFigures[];
  notes: string[];
}
