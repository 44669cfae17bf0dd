/**
 * The org side of `cosell config export` / `import`: reads the mapping rows and the settings row,
 * checks a file's mapping against the org's metadata (the service's own checker, so a file the
 * service would refuse row by row is refused whole, before anything is written), and applies a plan.
 */
import { CONFLICT_POLICY_OPTIONS, CoSellMappingColumns as M, CoSellMappingTable, CoSellSettingsColumns as SC, CoSellSettingsTable } from "../../entities";
import type { DataverseClient } from "../dataverse/dataverse-client";
import { DEFAULT_MAPPING } from "../engine";
import { mappableField, type MappableTable } from "../mapping/mappable-fields";
import { checkMappingRows, OK_PREFIX } from "../mapping/mapping-checker";
import { dataverseMappingRows } from "../mapping/mapping-watcher";
import { directionOption, type MappingRow } from "../mapping/mapping-rows";
import { readOrgColumns } from "../mapping/org-columns";
import type { ConfigFile, MappingEntry } from "./config-file";
import { portableSettings, type ConfigPlan } from "./config-plan";
import type { PortableSettings } from "./config-file";

export interface OrgConfig {
  readonly rows: MappingRow[];
  readonly settingsRowId: string | null;
  readonly settings: PortableSettings;
}

export async function readOrgConfig(dataverse: DataverseClient): Promise<OrgConfig> {
  const rows = await dataverseMappingRows(dataverse).readRows();
  const settingsRows = await dataverse.query<Record<string, unknown>>(CoSellSettingsTable, [SC.conflictPolicy, SC.catchUpIntervalSeconds], {
    filter: "statecode eq 0",
    orderBy: "createdon asc",
    top: 1,
  });
  const settingsRow = settingsRows[0] ?? null;
  return { rows, settingsRowId: settingsRow?.id ?? null, settings: portableSettings(settingsRow?.values ?? null, SC) };
}

/** Every mapping entry of `file` the org cannot run, with the service's verdict (empty: all fine). */
export async function mappingProblems(dataverse: DataverseClient, file: ConfigFile): Promise<string[]> {
  const rows: MappingRow[] = file.mapping.map((entry) => ({
    id: entry.partnerCenterField,
    name: entry.name,
    field: entry.partnerCenterField,
    column: entry.dataverseColumn,
    direction: directionOption(entry.direction),
    valueMap: entry.valueMap === null ? null : JSON.stringify(entry.valueMap),
    verdict: null,
    testOpportunity: null,
  }));
  const choiceColumns: Record<MappableTable, string[]> = { opportunity: [], account: [], contact: [] };
  for (const row of rows) {
    const field = mappableField(row.field ?? "");
    if (field?.choice && row.column) choiceColumns[field.slot.table].push(row.column);
  }
  const org = await readOrgColumns(dataverse, choiceColumns);
  const { verdicts } = checkMappingRows(rows, org, { fallback: DEFAULT_MAPPING, previous: DEFAULT_MAPPING });
  return rows
    .filter((row) => !verdicts.get(row.id)?.startsWith(OK_PREFIX))
    .map((row) => `mapping ${row.field}: ${(verdicts.get(row.id) ?? "").replace(/; (until it is fixed|this row is ignored).*$/, "")}`);
}

function rowBody(entry: MappingEntry): Record<string, unknown> {
  return {
    [M.name]: entry.name,
    [M.dataverseColumn]: entry.dataverseColumn,
    [M.direction]: directionOption(entry.direction),
    [M.valueMap]: entry.valueMap === null ? null : JSON.stringify(entry.valueMap),
  };
}

function settingsBody(values: PortableSettings): Record<string, unknown> {
  const policy = CONFLICT_POLICY_OPTIONS.find((option) => option.code === values.conflictPolicy)?.value ?? null;
  return { [SC.conflictPolicy]: policy, [SC.catchUpIntervalSeconds]: values.catchUpIntervalSeconds };
}

/** Writes the plan: changed rows, new rows, removed rows, then the settings row. */
export async function applyPlan(dataverse: DataverseClient, org: OrgConfig, plan: ConfigPlan): Promise<void> {
  for (const update of plan.updates) await dataverse.update(CoSellMappingTable, update.id, rowBody(update.entry));
  for (const entry of plan.creates) await dataverse.create(CoSellMappingTable, { ...rowBody(entry), [M.partnerCenterField]: entry.partnerCenterField });
  for (const removal of plan.removals) await dataverse.delete(CoSellMappingTable, removal.id);
  if (!plan.settings) return;
  if (org.settingsRowId) await dataverse.update(CoSellSettingsTable, org.settingsRowId, settingsBody(plan.settings.values));
  else await dataverse.create(CoSellSettingsTable, { [SC.name]: "Co-sell settings", ...settingsBody(plan.settings.values) });
}
