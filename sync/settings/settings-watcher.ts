/**
 * Keeps the co-sell settings row current: read at start, then every few seconds, so an admin's
 * change (pausing all sync, say) takes effect within seconds without a restart. A failed read or a
 * bad value is logged and the last valid settings keep running.
 */
import type { Logger } from "pino";
import { CoSellSettingsTable } from "../../entities";
import type { DataverseClient } from "../dataverse/dataverse-client";
import type { ConflictPolicySetting } from "../engine/field-mapping.config";
import type { SyncMetrics } from "../observability/metrics";
import { DEFAULT_SETTINGS, readSettings, SETTINGS_SELECT, type CoSellSettings } from "./cosell-settings";

/** How often the row is read again; the kill switch takes effect within this. */
export const SETTINGS_REFRESH_MS = 3_000;

/** Reads the settings row: the oldest active one, or null when there is none. */
export type SettingsRowReader = () => Promise<Record<string, unknown> | null>;

export function settingsRowReader(dataverse: Pick<DataverseClient, "query">): SettingsRowReader {
  return async () => {
    const rows = await dataverse.query<Record<string, unknown>>(CoSellSettingsTable, SETTINGS_SELECT, {
      filter: "statecode eq 0",
      orderBy: "createdon asc",
      top: 1,
    });
    return rows[0]?.values ?? null;
  };
}

export interface SettingsWatcherOptions {
  read: SettingsRowReader;
  logger: Pick<Logger, "info" | "warn">;
  metrics?: SyncMetrics;
  refreshMs?: number;
}

export class SettingsWatcher {
  private settings: CoSellSettings = DEFAULT_SETTINGS;
  private timer: NodeJS.Timeout | null = null;
  private listeners = new Set<(settings: CoSellSettings, previous: CoSellSettings) => void>();
  /** The last problems logged, so a bad value is logged once, not every few seconds. */
  private reported = "";
  private refreshing: Promise<CoSellSettings> | null = null;

  constructor(private readonly options: SettingsWatcherOptions) {}

  current(): CoSellSettings {
    return this.settings;
  }

  isPaused(): boolean {
    return this.settings.paused;
  }

  /** The row's conflict policy replaces the mapping's default; per-field policies of the mapping file stay. */
  conflictPolicy(mapping: ConflictPolicySetting | undefined): ConflictPolicySetting | undefined {
    const chosen = this.settings.conflictPolicy;
    return chosen ? { default: chosen, fields: mapping?.fields ?? {} } : mapping;
  }

  /** The catch-up interval: the row's when set, else the service's configured one (CATCH_UP_INTERVAL_SECONDS). */
  catchUpIntervalSeconds(configured: number): number {
    return this.settings.catchUpIntervalSeconds ?? configured;
  }

  /** Called after each change of the settings (not on every read). */
  onChange(listener: (settings: CoSellSettings, previous: CoSellSettings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the row now; concurrent calls share one read. */
  refresh(): Promise<CoSellSettings> {
    this.refreshing ??= this.readOnce().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs ?? SETTINGS_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async readOnce(): Promise<CoSellSettings> {
    const { logger, metrics } = this.options;
    let row: Record<string, unknown> | null;
    try {
      row = await this.options.read();
    } catch (error) {
      this.report(
        [`could not read the co-sell settings (${CoSellSettingsTable.entitySetName}): ${error instanceof Error ? error.message : String(error)}`],
        "the last settings read keep running; check that the solution is imported and the service's role can read Co-sell settings",
      );
      return this.settings;
    }
    const reading = readSettings(row, this.settings);
    this.report(reading.problems, "those values are ignored and their last valid values keep running; correct them on the Co-sell settings row");
    const previous = this.settings;
    this.settings = reading.settings;
    metrics?.syncPaused.set(this.settings.paused ? 1 : 0);
    if (JSON.stringify(previous) !== JSON.stringify(this.settings)) {
      logger.info({ settings: this.settings, row: row ? "found" : "none: defaults" }, "co-sell settings changed");
      for (const listener of this.listeners) listener(this.settings, previous);
    }
    return this.settings;
  }

  private report(problems: readonly string[], consequence: string): void {
    const key = problems.join("\n");
    if (key === this.reported) return;
    this.reported = key;
    if (problems.length === 0) return;
    this.options.metrics?.settingsProblems.inc(problems.length);
    this.options.logger.warn({ problems }, `co-sell settings: ${problems.join("; ")}; ${consequence}`);
  }
}
