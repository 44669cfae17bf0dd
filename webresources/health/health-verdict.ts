/**
 * What the heartbeat rows say about the sync service, as the health page shows it: running (how many
 * instances, each with its details and warnings) or not running (since when, and what to check).
 * Pure, so the rule (a row older than 3 minutes is a stopped instance) is tested without a browser.
 */
import { CoSellHeartbeatColumns as H, HEARTBEAT_STALE_AFTER_MS } from "../../entities/cosell-heartbeat";
import { SIGN_IN_WARNING_MS } from "./sign-in-warning";

export interface InstanceHealth {
  name: string;
  version: string;
  beatOn: Date;
  startedOn: Date | null;
  lastDataverseWebhookOn: Date | null;
  lastPartnerCenterWebhookOn: Date | null;
  lastReconcileOn: Date | null;
  signInStatus: string;
  signInExpiresOn: Date | null;
  webhookHolder: string;
  /** Things an admin should act on: a sign-in near its end, a registration someone else holds. */
  warnings: ("sign-in-expiring" | "sign-in-problem" | "webhook-not-ours")[];
}

export type ServiceHealth =
  | { running: true; instances: InstanceHealth[] }
  | { running: false; lastBeatOn: Date | null; lastInstance: InstanceHealth | null };

const date = (value: unknown): Date | null => {
  if (typeof value !== "string" || !value) return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
};

export function readInstance(row: Record<string, unknown>, now: Date): InstanceHealth | null {
  const beatOn = date(row[H.beatOn]);
  if (!beatOn) return null;
  const signInStatus = String(row[H.signInStatus] ?? "");
  const signInExpiresOn = date(row[H.signInExpiresOn]);
  const webhookHolder = String(row[H.webhookHolder] ?? "");
  const warnings: InstanceHealth["warnings"] = [];
  if (signInExpiresOn && signInExpiresOn.getTime() - now.getTime() <= SIGN_IN_WARNING_MS) warnings.push("sign-in-expiring");
  else if (/^Warning:/m.test(signInStatus)) warnings.push("sign-in-problem");
  if (webhookHolder && !webhookHolder.startsWith("This service")) warnings.push("webhook-not-ours");
  return {
    name: String(row[H.name] ?? ""),
    version: String(row[H.version] ?? ""),
    beatOn,
    startedOn: date(row[H.startedOn]),
    lastDataverseWebhookOn: date(row[H.lastDataverseWebhookOn]),
    lastPartnerCenterWebhookOn: date(row[H.lastPartnerCenterWebhookOn]),
    lastReconcileOn: date(row[H.lastReconcileOn]),
    signInStatus,
    signInExpiresOn,
    webhookHolder,
    warnings,
  };
}

export function serviceHealth(rows: readonly Record<string, unknown>[], now: Date): ServiceHealth {
  const instances = rows.map((row) => readInstance(row, now)).filter((instance): instance is InstanceHealth => instance !== null)
    .sort((a, b) => b.beatOn.getTime() - a.beatOn.getTime());
  const fresh = instances.filter((instance) => now.getTime() - instance.beatOn.getTime() <= HEARTBEAT_STALE_AFTER_MS);
  if (fresh.length > 0) return { running: true, instances: fresh };
  const last = instances[0] ?? null;
  return { running: false, lastBeatOn: last?.beatOn ?? null, lastInstance: last };
}
