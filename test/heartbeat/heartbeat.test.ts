/**
 * The backend's heartbeat over real HTTP against the Dataverse stand-in with our solution imported
 * and the service holding only its shipped role: one row per instance, rewritten (not added to) on
 * every beat, with the version, the webhook registration holder, the last webhook from each side
 * and the last catch-up; the sign-in's expiry read from the token cache; a failed write logged once
 * and never thrown.
 */
import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoSellHeartbeatColumns as H, CoSellHeartbeatTable } from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { describeSignIn, HeartbeatWriter } from "../../sync/heartbeat/heartbeat-writer";
import { ServiceActivity } from "../../sync/heartbeat/service-activity";
import { signInHealth } from "../../sync/partner-center/sign-in-health";
import { createSharableOpportunity, sendMicrosoftReferral, waitFor, webApi } from "../e2e-api/story-kit";

let env: SandboxEnvironment;
beforeAll(async () => {
  env = await startSandboxEnvironment({ heartbeatIntervalMs: 300, catchUpIntervalSeconds: 5 });
});
afterAll(async () => {
  await env?.close();
});

async function heartbeatRows(): Promise<Record<string, unknown>[]> {
  const { json } = await webApi(env, "GET", CoSellHeartbeatTable.entitySetName);
  return json.value as Record<string, unknown>[];
}

describe("the service's heartbeat row", () => {
  it("is written at start with the version and the webhook registration holder, and rewritten in place", async () => {
    const [row] = await waitFor("the first heartbeat", async () => {
      const rows = await heartbeatRows();
      return rows.length > 0 ? rows : null;
    });
    expect(row![H.name]).toBe(`${(await import("node:os")).hostname()}:${process.pid}`);
    expect(row![H.version]).toBe("1.0.0");
    expect(row![H.webhookHolder]).toBe(`This service (${env.backendUrl}/webhooks/partner-center)`);
    expect(row![H.signInStatus]).toMatch(/No stored sign-in/);
    const firstBeat = Date.parse(String(row![H.beatOn]));
    await waitFor("a later beat", async () => Date.parse(String((await heartbeatRows())[0]![H.beatOn])) > firstBeat);
    expect(await heartbeatRows()).toHaveLength(1);
  });

  it("reports the last webhook from each side and the last catch-up", async () => {
    await createSharableOpportunity(env);
    await sendMicrosoftReferral(env);
    const row = await waitFor("webhook times on the heartbeat", async () => {
      const [current] = await heartbeatRows();
      return current?.[H.lastDataverseWebhookOn] && current[H.lastPartnerCenterWebhookOn] && current[H.lastReconcileOn] ? current : null;
    }, 15_000);
    for (const column of [H.lastDataverseWebhookOn, H.lastPartnerCenterWebhookOn, H.lastReconcileOn]) {
      expect(Date.now() - Date.parse(String(row[column]))).toBeLessThan(60_000);
    }
  });
});

describe("HeartbeatWriter on its own", () => {
  it("reads the sign-in's expiry from a token cache last written 85 days ago and says what to do", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cosell-heartbeat-"));
    try {
      const cache = join(dir, "token.json");
      await writeFile(cache, "{}");
      const lastUsed = new Date(Date.now() - 85 * 24 * 3600_000);
      await utimes(cache, lastUsed, lastUsed);
      const health = signInHealth({ token: "", refreshTokenLastUsedAt: lastUsed, now: new Date() });
      expect(describeSignIn(health)).toMatch(/^Warning: the stored sign-in expires .* unless it is used before/);
      expect(describeSignIn(signInHealth({ token: "", refreshTokenLastUsedAt: new Date(), now: new Date() }))).toBe("OK");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a failed write is logged once, never thrown, and the next good write says so", async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    let failing = true;
    const writes: Record<string, unknown>[] = [];
    const writer = new HeartbeatWriter({
      dataverse: {
        query: async () => { if (failing) throw new Error("403 Forbidden: missing prvCreatepcc_CoSellHeartbeat"); return []; },
        create: async (_table, values) => { writes.push(values); return "00000000-0000-0000-0000-000000000001"; },
        update: async (_table, _id, values) => { writes.push(values); return "W/\"1\""; },
      },
      instance: "test:1", version: "9.9.9", activity: new ServiceActivity(), signIn: () => null,
      webhookHolder: async () => { throw new Error("Partner Center is down"); },
      logger,
    });
    await writer.beat();
    await writer.beat();
    expect(lines.filter((line) => line.level === 40)).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/Sync health page will say the service is not running/);
    failing = false;
    await writer.beat();
    await writer.beat();
    expect(writes).toHaveLength(2);
    expect(writes[0]![H.webhookHolder]).toBe("Could not read Partner Center's webhook registration: Partner Center is down");
    expect(lines.at(-1)!.msg).toBe("The heartbeat row is written again");
  });
});
