/**
 * Everything the zip and the unpacked folder are written from: the validated columns, the parts'
 * contributions and the derived root components. Built once, written twice (zip + pac layout).
 */
import {
  COSELL_HEARTBEAT_COLUMNS,
  COSELL_HEARTBEAT_NAME_COLUMN,
  COSELL_MAPPING_COLUMNS,
  COSELL_MAPPING_NAME_COLUMN,
  COSELL_SETTINGS_COLUMNS,
  COSELL_SETTINGS_NAME_COLUMN,
  CoSellHeartbeatTable,
  CoSellMappingTable,
  CoSellSettingsTable,
  LANGUAGES,
  OPPORTUNITY_COLUMNS,
  Tables,
  validateColumns,
  type ColumnDefinition,
  type LanguageCode,
} from "../entities";
import { ComponentType, type RootComponent, type SolutionPart, type SolutionPartFactory } from "./solution-part";
import type { CustomizationsInput } from "./xml/customizations-xml";
import { COSELL_APP } from "./xml/app-module";
import { SYNC_SERVICE_ROLE } from "./xml/security-role";

export interface SolutionModel {
  version: string;
  languages: readonly LanguageCode[];
  customizations: CustomizationsInput;
  rootComponents: RootComponent[];
}

export class SolutionPartError extends Error {
  constructor(partName: string, cause: unknown) {
    super(`Solution part "${partName}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "SolutionPartError";
  }
}

export async function buildSolutionModel(options: {
  version: string;
  columns?: readonly ColumnDefinition[];
  parts: readonly SolutionPartFactory[];
}): Promise<SolutionModel> {
  const columns = options.columns ?? OPPORTUNITY_COLUMNS;
  validateColumns(columns);
  validateColumns([COSELL_SETTINGS_NAME_COLUMN, ...COSELL_SETTINGS_COLUMNS]);
  validateColumns([COSELL_HEARTBEAT_NAME_COLUMN, ...COSELL_HEARTBEAT_COLUMNS]);
  validateColumns([COSELL_MAPPING_NAME_COLUMN, ...COSELL_MAPPING_COLUMNS]);

  const parts: SolutionPart[] = [];
  for (const factory of options.parts) {
    let part: SolutionPart | null;
    try {
      part = await factory();
    } catch (error) {
      throw new SolutionPartError(factory.name || "unnamed", error);
    }
    if (part) parts.push(part);
  }

  const customizations: CustomizationsInput = {
    version: options.version,
    columns,
    forms: parts.flatMap((p) => p.opportunityForms ?? []),
    ribbonDiffXml: null,
    webResources: parts.flatMap((p) => p.webResources ?? []),
    customControls: parts.flatMap((p) => p.customControls ?? []),
  };
  const ribbonParts = parts.filter((p) => p.opportunityRibbonDiffXml);
  if (ribbonParts.length > 1) {
    throw new Error(`Only one part may set the opportunity ribbon; found ${ribbonParts.map((p) => p.name).join(", ")}`);
  }
  customizations.ribbonDiffXml = ribbonParts[0]?.opportunityRibbonDiffXml ?? null;
  assertUnique("web resource", customizations.webResources.map((r) => r.name));
  assertUnique("custom control", customizations.customControls.map((c) => c.name));
  assertUnique("form", customizations.forms.map((f) => f.id));

  const rootComponents: RootComponent[] = [
    // Shell only: opportunity is a system table; we add columns, views, a form and a ribbon to it.
    { type: ComponentType.Entity, schemaName: Tables.opportunity.logicalName, behavior: 2 },
    // Our own table, whole: Dataverse creates it with every column on import.
    { type: ComponentType.Entity, schemaName: CoSellSettingsTable.logicalName, behavior: 0 },
    { type: ComponentType.Entity, schemaName: CoSellHeartbeatTable.logicalName, behavior: 0 },
    { type: ComponentType.Entity, schemaName: CoSellMappingTable.logicalName, behavior: 0 },
    { type: ComponentType.Role, id: SYNC_SERVICE_ROLE.id, behavior: 0 },
    { type: ComponentType.SiteMap, schemaName: COSELL_APP.siteMapUniqueName, behavior: 0 },
    { type: ComponentType.AppModule, schemaName: COSELL_APP.uniqueName, behavior: 0 },
    ...customizations.forms.map((f) => ({ type: ComponentType.SystemForm, id: f.id, behavior: 0 as const })),
    ...customizations.webResources.map((r) => ({ type: ComponentType.WebResource, schemaName: r.name, behavior: 0 as const })),
    ...customizations.customControls.map((c) => ({ type: ComponentType.CustomControl, schemaName: c.name, behavior: 0 as const })),
  ];
  return { version: options.version, languages: LANGUAGES, customizations, rootComponents };
}

function assertUnique(kind: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`Two solution parts add the same ${kind} ${name}`);
    seen.add(name);
  }
}
