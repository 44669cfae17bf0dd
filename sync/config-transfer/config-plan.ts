/**
 * From the org's rows to a configuration file, and from a file to the changes an import makes: which
 * mapping rows are added, changed or removed and which settings change, each as a line the admin reads
 * before saying --yes. Pure.
 */
import { CONFLICT_POLICY_OPTIONS } from "../../entities";
import { mappableField } from "../mapping/mappable-fields";
import { directionOf, type MappingRow } from "../mapping/mapping-rows";
import { CONFIG_FILE_FORMAT, CONFIG_FILE_VERSION, type ConfigFile, type MappingEntry, type PortableSettings } from "./config-file";

/** The settings row's portable values (null row: all empty). */
export function portableSettings(row: Readonly<Record<string, unknown>> | null, columns: { conflictPolicy: string; catchUpIntervalSeconds: string }): PortableSettings {
  const policy = row?.[columns.conflictPolicy];
  const interval = row?.[columns.catchUpIntervalSeconds];
  const code = CONFLICT_POLICY_OPTIONS.find((option) => option.value === policy)?.code as PortableSettings["conflictPolicy"] | undefined;
  return { conflictPolicy: code ?? null, catchUpIntervalSeconds: typeof interval === "number" ? interval : null };
}

export interface ExportResult {
  readonly file: ConfigFile;
  /** Rows left out, with why (the admin fixes them, then exports again). */
  readonly skipped: readonly string[];
}

/** The org's rows and settings as a file; the first row of a field wins, as in the service. */
export function configFromOrg(rows: readonly MappingRow[], settings: PortableSettings): ExportResult {
  const skipped: string[] = [];
  const mapping: MappingEntry[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const field = row.field ? mappableField(row.field) : undefined;
    const label = `"${row.name ?? row.id}"`;
    if (!field) { skipped.push(`${label}: "${row.field ?? ""}" is not a Partner Center field`); continue; }
    if (seen.has(field.key)) { skipped.push(`${label}: a second row for ${field.key}`); continue; }
    const direction = directionOf(row.direction);
    if (!direction) { skipped.push(`${label}: direction ${row.direction} is not one of ours`); continue; }
    let valueMap: Record<string, number> | null = null;
    if (row.valueMap !== null) {
      try {
        valueMap = JSON.parse(row.valueMap) as Record<string, number>;
      } catch {
        skipped.push(`${label}: its value map is not valid JSON`);
        continue;
      }
    }
    seen.add(field.key);
    mapping.push({ partnerCenterField: field.key, name: row.name ?? field.key, dataverseColumn: row.column, direction, valueMap });
  }
  return { file: { format: CONFIG_FILE_FORMAT, version: CONFIG_FILE_VERSION, settings, mapping }, skipped };
}

export interface RowUpdate {
  readonly id: string;
  readonly entry: MappingEntry;
  readonly changes: readonly string[];
}

export interface ConfigPlan {
  readonly creates: readonly MappingEntry[];
  readonly updates: readonly RowUpdate[];
  readonly removals: readonly { readonly id: string; readonly label: string }[];
  /** Null: the settings already hold the file's values. */
  readonly settings: { readonly values: PortableSettings; readonly changes: readonly string[] } | null;
}

const show = (value: unknown) => (value === null || value === undefined ? "(empty)" : typeof value === "string" ? value : JSON.stringify(value));

function entryChanges(current: MappingEntry, incoming: MappingEntry): string[] {
  const changes: string[] = [];
  for (const key of ["name", "dataverseColumn", "direction", "valueMap"] as const) {
    if (JSON.stringify(current[key]) !== JSON.stringify(incoming[key])) changes.push(`${key} ${show(current[key])} → ${show(incoming[key])}`);
  }
  return changes;
}

/** What importing `incoming` changes in an org holding `rows` and `settings`. */
export function planImport(rows: readonly MappingRow[], settings: PortableSettings, incoming: ConfigFile): ConfigPlan {
  const current = configFromOrg(rows, settings).file.mapping;
  const rowByField = new Map<string, MappingRow>();
  const removals: { id: string; label: string }[] = [];
  for (const row of rows) {
    const key = row.field ? mappableField(row.field)?.key : undefined;
    if (key && !rowByField.has(key)) rowByField.set(key, row);
    else removals.push({ id: row.id, label: `"${row.name ?? row.id}" (${row.field ?? "no field"}${key ? ", a second row for it" : ""})` });
  }
  const creates: MappingEntry[] = [];
  const updates: RowUpdate[] = [];
  const wanted = new Set<string>();
  for (const entry of incoming.mapping) {
    const key = mappableField(entry.partnerCenterField)?.key ?? entry.partnerCenterField;
    const normalized = { ...entry, partnerCenterField: key };
    wanted.add(key);
    const row = rowByField.get(key);
    if (!row) { creates.push(normalized); continue; }
    const now = current.find((c) => c.partnerCenterField === key);
    const changes = now ? entryChanges(now, normalized) : ["the row is unreadable now; rewritten from the file"];
    if (changes.length > 0) updates.push({ id: row.id, entry: normalized, changes });
  }
  for (const [key, row] of rowByField) if (!wanted.has(key)) removals.push({ id: row.id, label: `"${row.name ?? row.id}" (${key})` });
  const settingChanges: string[] = [];
  for (const key of ["conflictPolicy", "catchUpIntervalSeconds"] as const) {
    if (settings[key] !== incoming.settings[key]) settingChanges.push(`${key} ${show(settings[key])} → ${show(incoming.settings[key])}`);
  }
  return { creates, updates, removals, settings: settingChanges.length > 0 ? { values: incoming.settings, changes: settingChanges } : null };
}

export function isEmptyPlan(plan: ConfigPlan): boolean {
  return plan.creates.length === 0 && plan.updates.length === 0 && plan.removals.length === 0 && plan.settings === null;
}

/** The diff as the admin reads it: + added, ~ changed, - removed. */
export function formatPlan(plan: ConfigPlan): string[] {
  const lines: string[] = [];
  for (const entry of plan.creates) lines.push(`+ mapping ${entry.partnerCenterField}: ${entry.dataverseColumn ?? "(no column)"}, ${entry.direction}${entry.valueMap ? `, value map ${JSON.stringify(entry.valueMap)}` : ""}`);
  for (const update of plan.updates) lines.push(`~ mapping ${update.entry.partnerCenterField}: ${update.changes.join("; ")}`);
  for (const removal of plan.removals) lines.push(`- mapping row ${removal.label}`);
  if (plan.settings) lines.push(`~ settings: ${plan.settings.changes.join("; ")}`);
  return lines;
}
