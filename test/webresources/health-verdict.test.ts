/**
 * What the Sync health page concludes from the heartbeat rows: running with the fresh instances only,
 * not running once the newest row is older than 3 minutes (or there is none), and the warnings an
 * admin must act on (a sign-in within a week of its end, a webhook registration someone else holds).
 */
import { describe, expect, it } from "vitest";
import { CoSellHeartbeatColumns as H, HEARTBEAT_STALE_AFTER_MS } from "../../entities";
import { SIGN_IN_WARNING_MS as SERVICE_WARNING_MS } from "../../sync/partner-center/sign-in-health";
import { serviceHealth } from "../../webresources/health/health-verdict";
import { SIGN_IN_WARNING_MS } from "../../webresources/health/sign-in-warning";

const now = new Date("2026-12-03T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const row = (name: string, beatAgoMs: number, extra: Record<string, unknown> = {}) => ({
  [H.name]: name, [H.beatOn]: ago(beatAgoMs), [H.version]: "1.0.0", [H.webhookHolder]: "This service (https://cosell.contoso.com/webhooks/partner-center)",
  [H.signInStatus]: "OK", ...extra,
});

describe("serviceHealth", () => {
  it("counts only the instances that beat in the last 3 minutes", () => {
    const health = serviceHealth([row("a:1", 30_000), row("b:2", HEARTBEAT_STALE_AFTER_MS + 1_000), row("c:3", 90_000)], now);
    expect(health.running).toBe(true);
    expect(health.running && health.instances.map((instance) => instance.name)).toEqual(["a:1", "c:3"]);
  });

  it("is not running when the newest heartbeat is older than 3 minutes, and says when it was", () => {
    const health = serviceHealth([row("a:1", 10 * 60_000), row("b:2", 4 * 60_000)], now);
    expect(health).toMatchObject({ running: false, lastBeatOn: new Date(ago(4 * 60_000)) });
    expect(serviceHealth([], now)).toEqual({ running: false, lastBeatOn: null, lastInstance: null });
  });

  it("warns of a sign-in within a week of its end and of a webhook registration another receiver holds", () => {
    const health = serviceHealth([row("a:1", 1_000, {
      [H.signInExpiresOn]: new Date(now.getTime() + 5 * 24 * 3600_000).toISOString(),
      [H.webhookHolder]: "https://prod-01.logic.azure.com/workflows/x (a Power Automate flow, probably Microsoft's Partner Center Referrals connector)",
    })], now);
    expect(health.running && health.instances[0]!.warnings).toEqual(["sign-in-expiring", "webhook-not-ours"]);
    const fine = serviceHealth([row("a:1", 1_000, { [H.signInExpiresOn]: new Date(now.getTime() + 30 * 24 * 3600_000).toISOString() })], now);
    expect(fine.running && fine.instances[0]!.warnings).toEqual([]);
  });

  it("warns a week ahead, as the service's own log does", () => {
    expect(SIGN_IN_WARNING_MS).toBe(SERVICE_WARNING_MS);
  });
});
