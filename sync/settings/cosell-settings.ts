/**
 * The co-sell settings row (entities/cosell-settings.ts) read into values the service uses. Each
 * column is checked on its own: a bad value is reported and that setting keeps its last valid
 * value, so one typo never stops the sync or undoes the other settings.
 */
import {
  CATCH_UP_INTERVAL_RANGE,
  CONFLICT_POLICY_OPTIONS,
  CoSellSettingsColumns as C,
} from "../../entities";
import { CONFLICT_POLICIES, type ConflictPolicy } from "../engine/field-mapping.config";

export interface CoSellSettings {
  /** Null: the mapping file's default policy. */
  readonly conflictPolicy: ConflictPolicy | null;
  /** Null: the service's configured catch-up interval. */
  readonly catchUpIntervalSeconds: number | null;
  /** Null: no Teams notification. */
  readonly teamsWebhookUrl: string | null;
  /** The kill switch: workers claim no job while it is on. */
  readonly paused: boolean;
}

/** What a missing row means. */
export const DEFAULT_SETTINGS: CoSellSettings = { conflictPolicy: null, catchUpIntervalSeconds: null, teamsWebhookUrl: null, paused: false };

export const SETTINGS_SELECT: readonly string[] = [C.conflictPolicy, C.catchUpIntervalSeconds, C.teamsWebhookUrl, C.pauseAllSync];

export interface SettingsReading {
  readonly settings: CoSellSettings;
  /** One line per rejected value, naming the column and what to put in it. */
  readonly problems: readonly string[];
}

function policyOf(value: number): ConflictPolicy | undefined {
  const code = CONFLICT_POLICY_OPTIONS.find((option) => option.value === value)?.code;
  return CONFLICT_POLICIES.find((policy) => policy === code);
}

/** Teams Workflows URLs are https (Power Automate or Logic Apps hosts); plain http only to this machine, for tests. */
function isAcceptableWebhookUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === "https:" || (url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost"));
}

/** The row's values over `previous`; a missing row (null) is the defaults. */
export function readSettings(row: Record<string, unknown> | null, previous: CoSellSettings = DEFAULT_SETTINGS): SettingsReading {
  if (!row) return { settings: DEFAULT_SETTINGS, problems: [] };
  const problems: string[] = [];
  let { conflictPolicy, catchUpIntervalSeconds, teamsWebhookUrl, paused } = previous;

  const policy = row[C.conflictPolicy];
  if (policy === null || policy === undefined) conflictPolicy = null;
  else if (typeof policy === "number" && policyOf(policy)) conflictPolicy = policyOf(policy)!;
  else problems.push(`${C.conflictPolicy}: ${String(policy)} is not a conflict policy; choose one of ${CONFLICT_POLICY_OPTIONS.map((o) => o.label[1033]).join(", ")}`);

  const interval = row[C.catchUpIntervalSeconds];
  if (interval === null || interval === undefined) catchUpIntervalSeconds = null;
  else if (typeof interval === "number" && Number.isInteger(interval) && interval >= CATCH_UP_INTERVAL_RANGE.min && interval <= CATCH_UP_INTERVAL_RANGE.max) {
    catchUpIntervalSeconds = interval;
  } else {
    problems.push(`${C.catchUpIntervalSeconds}: ${String(interval)} is not a whole number of seconds between ${CATCH_UP_INTERVAL_RANGE.min} and ${CATCH_UP_INTERVAL_RANGE.max}`);
  }

  const url = row[C.teamsWebhookUrl];
  if (url === null || url === undefined || url === "") teamsWebhookUrl = null;
  else if (typeof url === "string" && isAcceptableWebhookUrl(url.trim())) teamsWebhookUrl = url.trim();
  else problems.push(`${C.teamsWebhookUrl}: "${String(url)}" is not an https URL; paste the URL Teams Workflows shows for the flow's webhook trigger`);

  const pause = row[C.pauseAllSync];
  if (pause === null || pause === undefined) paused = false;
  else if (typeof pause === "boolean") paused = pause;
  else problems.push(`${C.pauseAllSync}: ${String(pause)} is not Yes or No`);

  return { settings: { conflictPolicy, catchUpIntervalSeconds, teamsWebhookUrl, paused }, problems };
}
