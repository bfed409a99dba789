/** Push counters since the API started, for GET /admin/stats. */
export class PushStats {
  sent = 0;
  failed = 0;
  staleRemoved = 0;
  retries = 0;

  snapshot(): { sent: number; failed: number; staleRemoved: number; retries: number } {
    return { sent: this.sent, failed: this.failed, staleRemoved: this.staleRemoved, retries: this.retries };
  }
}
