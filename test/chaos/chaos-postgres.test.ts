/**
 * The short chaos run on the PostgreSQL store with two backend instances behind one URL (a fresh
 * database for the run): faults on, one instance SIGKILLed mid-run; the survivor takes over its jobs
 * and every pair converges with no duplicate and no lost update. PostgreSQL must be running: without
 * it this fails (it never skips). `npm run chaos -- --instances 3 --store postgres` is the long
 * version (five kills and a restart of PostgreSQL itself).
 */
import { describe, expect, it } from "vitest";
import { formatChaosFigures, runChaos } from "../bench/chaos-kit";

describe("chaos (short, two instances on PostgreSQL)", () => {
  it("150 operations with faults and one instance SIGKILLed converge with no duplicates and no lost updates", async () => {
    // Real semantics, as in the SQLite short run: whole-second webhook times, the org's clock 2 s ahead.
    const figures = await runChaos({
      operations: 150,
      restarts: 1,
      seed: 20261203,
      concurrency: 8,
      convergeTimeoutMs: 90_000,
      dataverseClockOffsetMs: 2000,
      instances: 2,
      store: "postgres",
    });
    const report = formatChaosFigures(figures).join("\n");
    expect(figures.instances, report).toBe(2);
    expect(figures.store, report).toBe("postgres");
    expect(figures.restarts, report).toBe(1);
    expect(figures.crashes, report).toBe(0);
    expect(figures.duplicates, report).toBe(0);
    expect(figures.lostUpdates, report).toBe(0);
    expect(figures.pairsConverged, report).toBe(figures.pairsChecked);
    expect(figures.pairsChecked, report).toBeGreaterThan(8);
    expect(figures.timeToConvergeMs, report).not.toBeNull();
  }, 300_000);
});
