/** Each process's id: chosen or made up, refused when unusable, on every log line and in /metrics. */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { InstanceIdError, instanceOfWorker, resolveInstanceId } from "../../sync/cluster/instance-id";
import { createLogger } from "../../sync/observability/logger";
import { SyncMetrics } from "../../sync/observability/metrics";

describe("instance id", () => {
  it("is INSTANCE_ID when set, else hostname-pid-random, different for each process start", () => {
    expect(resolveInstanceId("cosell-2")).toBe("cosell-2");
    const made = resolveInstanceId(undefined);
    expect(made).toMatch(new RegExp(`-${process.pid}-[0-9a-f]{6}$`));
    expect(resolveInstanceId("")).not.toBe(made);
  });

  it("refuses an id that cannot name a worker or a label, saying what is allowed", () => {
    expect(() => resolveInstanceId("cosell 1")).toThrow(InstanceIdError);
    expect(() => resolveInstanceId("x".repeat(101))).toThrow(/1 to 100 letters, digits/);
  });

  it("is found again in the worker ids it prefixes, and only there", () => {
    expect(instanceOfWorker("cosell-2-w15")).toBe("cosell-2");
    expect(instanceOfWorker("host-123-abcdef-w0")).toBe("host-123-abcdef");
    expect(instanceOfWorker("cli")).toBeNull();
  });

  it("is on every log line and in cosell_instance_info", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: "info", destination, instanceId: "cosell-7" });
    logger.info("one");
    logger.child({ jobId: 1 }).warn("two");
    expect(lines.map((line) => JSON.parse(line).instance)).toEqual(["cosell-7", "cosell-7"]);

    const metrics = new SyncMetrics();
    metrics.identifyInstance("cosell-7", "1.0.0", async () => 3);
    const text = await metrics.registry.metrics();
    expect(text).toContain('cosell_instance_info{instance_id="cosell-7",version="1.0.0"} 1');
    expect(text).toContain("cosell_instances_live 3");
  });
});
