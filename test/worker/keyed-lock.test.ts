import { describe, expect, it } from "vitest";
import { KeyedLock } from "../../sync/worker/keyed-lock";

describe("KeyedLock", () => {
  it("runs work of one key one at a time and other keys side by side, even after a failure", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const step = (name: string, ms: number, fail = false) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([
      lock.run("acme", step("a1", 20, true)),
      lock.run("acme", step("a2", 5)),
      lock.run("other", step("b1", 5)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(log.indexOf("end a1")).toBeLessThan(log.indexOf("start a2"));
    expect(log.indexOf("start b1")).toBeLessThan(log.indexOf("end a1"));
  });
});
