/**
 * The settings row as the backend reads it: a missing row is the defaults, each bad value is
 * reported (naming the column) and that setting keeps its last valid value, a failed read keeps
 * everything, and the row's conflict policy replaces only the mapping file's default.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { ConflictPolicyOption, CoSellSettingsColumns as C } from "../../entities";
import { SyncMetrics } from "../../sync/observability/metrics";
import { DEFAULT_SETTINGS, readSettings } from "../../sync/settings/cosell-settings";
import { SettingsWatcher } from "../../sync/settings/settings-watcher";

const validRow = {
  [C.conflictPolicy]: ConflictPolicyOption.CrmWins,
  [C.catchUpIntervalSeconds]: 15,
  [C.teamsWebhookUrl]: "https://prod-12.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x",
  [C.pauseAllSync]: true,
};

/** A real pino logger whose warn lines are kept. */
function recordingLogger() {
  const warnings: string[] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => void warnings.push(String((JSON.parse(line) as { msg: string }).msg)) });
  return { warnings, logger };
}

describe("readSettings", () => {
  it("a missing row is the defaults: nothing paused, the mapping's policy, the configured interval, no Teams", () => {
    expect(readSettings(null, { ...DEFAULT_SETTINGS, paused: true })).toEqual({ settings: DEFAULT_SETTINGS, problems: [] });
    expect(DEFAULT_SETTINGS).toEqual({ conflictPolicy: null, catchUpIntervalSeconds: null, teamsWebhookUrl: null, paused: false });
  });

  it("reads every column of a valid row", () => {
    expect(readSettings(validRow)).toEqual({
      settings: { conflictPolicy: "crm-wins", catchUpIntervalSeconds: 15, teamsWebhookUrl: validRow[C.teamsWebhookUrl], paused: true },
      problems: [],
    });
  });

  it("a bad value is reported with what to put there, and that setting keeps its last valid value while the others change", () => {
    const last = readSettings(validRow).settings;
    const reading = readSettings(
      { [C.conflictPolicy]: 42, [C.catchUpIntervalSeconds]: 3, [C.teamsWebhookUrl]: "http://example.com/hook", [C.pauseAllSync]: false },
      last,
    );
    expect(reading.settings).toEqual({ ...last, paused: false });
    expect(reading.problems).toEqual([
      expect.stringMatching(/^pcc_conflictpolicy: 42 is not a conflict policy; choose one of Latest change wins, Dynamics 365 wins, Partner Center wins$/),
      expect.stringMatching(/^pcc_catchupintervalseconds: 3 is not a whole number of seconds between 5 and 60$/),
      expect.stringContaining("pcc_teamswebhookurl: \"http://example.com/hook\" is not an https URL"),
    ]);
  });

  it("emptied columns go back to their defaults", () => {
    const last = readSettings(validRow).settings;
    expect(readSettings({ [C.conflictPolicy]: null, [C.catchUpIntervalSeconds]: null, [C.teamsWebhookUrl]: "", [C.pauseAllSync]: false }, last).settings).toEqual(DEFAULT_SETTINGS);
  });
});

describe("SettingsWatcher", () => {
  it("keeps the last settings when the row cannot be read, warns once per problem and counts it", async () => {
    const { warnings, logger } = recordingLogger();
    const metrics = new SyncMetrics();
    let row: Record<string, unknown> | Error = validRow;
    const watcher = new SettingsWatcher({ read: async () => { if (row instanceof Error) throw row; return row; }, logger, metrics });
    await watcher.refresh();
    expect(watcher.isPaused()).toBe(true);

    row = new Error("403 prvReadpcc_CoSellSetting");
    await watcher.refresh();
    await watcher.refresh();
    expect(watcher.isPaused()).toBe(true);
    expect(warnings).toEqual([expect.stringContaining("could not read the co-sell settings")]);
    expect(warnings[0]).toContain("check that the solution is imported and the service's role can read Co-sell settings");

    row = { ...validRow, [C.pauseAllSync]: false, [C.catchUpIntervalSeconds]: 0 };
    await watcher.refresh();
    expect(watcher.isPaused()).toBe(false);
    expect(watcher.catchUpIntervalSeconds(30)).toBe(15);
    expect(warnings[1]).toContain("pcc_catchupintervalseconds: 0");
    expect((await metrics.settingsProblems.get()).values[0]?.value).toBe(2);
    expect((await metrics.syncPaused.get()).values[0]?.value).toBe(0);
  });

  it("the row's conflict policy replaces the mapping's default and keeps its per-field policies; no policy on the row keeps the mapping's", async () => {
    let row: Record<string, unknown> | null = null;
    const watcher = new SettingsWatcher({ read: async () => row, logger: recordingLogger().logger });
    const mapping = { default: "latest-wins" as const, fields: { dealValue: "crm-wins" as const } };
    await watcher.refresh();
    expect(watcher.conflictPolicy(mapping)).toBe(mapping);
    expect(watcher.catchUpIntervalSeconds(30)).toBe(30);

    row = { [C.conflictPolicy]: ConflictPolicyOption.PartnerCenterWins };
    await watcher.refresh();
    expect(watcher.conflictPolicy(mapping)).toEqual({ default: "partner-center-wins", fields: { dealValue: "crm-wins" } });
    expect(watcher.conflictPolicy(undefined)).toEqual({ default: "partner-center-wins", fields: {} });
  });

  it("tells listeners of a change, not of every read", async () => {
    let row: Record<string, unknown> = { [C.pauseAllSync]: true };
    const watcher = new SettingsWatcher({ read: async () => row, logger: recordingLogger().logger });
    const seen: boolean[] = [];
    watcher.onChange((settings) => seen.push(settings.paused));
    await watcher.refresh();
    await watcher.refresh();
    row = { [C.pauseAllSync]: false };
    await watcher.refresh();
    expect(seen).toEqual([true, false]);
  });
});
