/**
 * The short chaos run (200 random operations from both sides, faults on, one SIGKILL restart of the
 * backend process) with a real org's semantics: Dataverse's delivery rule, whole-second times, its
 * clock 2 s ahead of the backend's. After the faults stop every pair converges with no duplicate and
 * no knowable lost update; last writes the conflict policy overruled are counted apart, each with its
 * audit line. `npm run chaos` is the long version (2,000 operations, 5 restarts).
 */
import { describe, expect, it } from "vitest";
import { formatChaosFigures, runChaos } from "../bench/chaos-kit";

describe("chaos (short)", () => {
  it("200 operations with faults and a SIGKILL restart converge with no duplicates and no knowable lost update", async () => {
    const figures = await runChaos({ operations: 200, restarts: 1, seed: 20261125, concurrency: 8, convergeTimeoutMs: 60_000, dataverseClockOffsetMs: 2000 });
    const report = formatChaosFigures(figures).join("\n");
    expect(figures.restarts, report).toBe(1);
    expect(figures.duplicates, report).toBe(0);
    expect(figures.lostUpdates, report).toBe(0);
    expect(figures.pairsConverged, report).toBe(figures.pairsChecked);
    expect(figures.pairsChecked, report).toBeGreaterThan(10);
    expect(figures.timeToConvergeMs, report).not.toBeNull();
    // Every overruled last write the policy settled has its audit line (checked per write in the kit).
    expect(figures.policyConflictLines, report).toBeGreaterThanOrEqual(figures.settledByPolicy);
  }, 180_000);
});
