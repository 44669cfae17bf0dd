/**
 * The org's clock. A real org's clock is not the backend's: it can be set ahead or behind
 * (`offsetMs`, a sandbox option for tests and chaos), and every time Dataverse publishes
 * (createdon, modifiedon, a webhook's OperationCreatedOn) is in whole seconds.
 */
export class SandboxClock {
  constructor(private offset = 0) {}

  get offsetMs(): number {
    return this.offset;
  }

  /** Time passes on the org only (tests: a delta token grows old without waiting days). */
  advance(ms: number): void {
    this.offset += ms;
  }

  /** Milliseconds since the epoch on the org's clock, truncated to the second. */
  nowMs(): number {
    return Math.floor((Date.now() + this.offset) / 1000) * 1000;
  }

  /** "2026-12-03T08:40:12Z": the form the Web API returns date-times in. */
  nowIso(): string {
    return `${new Date(this.nowMs()).toISOString().slice(0, 19)}Z`;
  }

  /** "2026-12-03": today on the org's clock (UTC), for date-only columns. */
  today(): string {
    return new Date(this.nowMs()).toISOString().slice(0, 10);
  }
}
