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
}

export interface NotificationFigures extends LatencyFigures {
  notifications: number;
  deliveries: number;
  missed: number;
  deliveredPerSec: number;
}

export interface RunFigures {
  n: number;
  connect?: ConnectFigures;
  gatewayRssKbPerConnection?: number;
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
  lambdas: LambdaFigures[];
  notes: string[];
}
