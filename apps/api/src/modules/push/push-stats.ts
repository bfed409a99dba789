export interface PushCounts {
  sent: number;
  failed: number;
  staleRemoved: number;
  retries: number;
}

/** This process's push counters since it started; PushCounterStore adds them to the shared row. */
export class PushStats {
  sent = 0;
  failed = 0;
  staleRemoved = 0;
  retries = 0;

  snapshot(): PushCounts {
    return { sent: this.sent, failed: this.failed, staleRemoved: this.staleRemoved, retries: this.retries };
  }
}
