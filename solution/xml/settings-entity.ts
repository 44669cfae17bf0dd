/**
 * The co-sell settings table (entities/cosell-settings.ts) as a custom table of customizations.xml,
 * with its main form "Co-sell settings" (the admin edits the one row there, from the Co-sell app).
 */
import {
  COSELL_SETTINGS_COLUMNS,
  COSELL_SETTINGS_NAME_COLUMN,
  CoSellSettingsColumns as C,
  CoSellSettingsTable,
  type TableColumnDefinition,
} from "../../entities";
import type { FormEntry } from "../solution-part";
import { writeCustomEntity } from "./custom-entity";
import { writeSystemForm } from "./customizations-xml";
import { tableForm } from "./table-form";
import type { XMLBuilder } from "./xml-helpers";

/** Stable across builds: Dataverse matches the form by this id on every upgrade. */
export const SETTINGS_FORM_ID = "{3d2f6a51-8c4e-4f0b-9b7a-5e1c2d8f4a60}";

const column = (name: string): TableColumnDefinition => {
  const found = COSELL_SETTINGS_COLUMNS.find((candidate) => candidate.logicalName === name);
  if (!found) throw new Error(`The settings form names ${name}, which entities/cosell-settings.ts does not define`);
  return found;
};

export function settingsForm(): FormEntry {
  return tableForm({
    id: SETTINGS_FORM_ID,
    names: { 1033: "Co-sell settings", 1040: "Impostazioni co-sell" },
    descriptions: { 1033: "The settings of the Partner Center co-sell sync service.", 1040: "Le impostazioni del servizio di sincronizzazione co-sell di Partner Center." },
    tabLabel: { 1033: "Settings", 1040: "Impostazioni" },
    sections: [
      { name: "sync", label: { 1033: "Sync", 1040: "Sincronizzazione" }, columns: [COSELL_SETTINGS_NAME_COLUMN, column(C.pauseAllSync), column(C.conflictPolicy), column(C.catchUpIntervalSeconds)] },
      { name: "notifications", label: { 1033: "Notifications", 1040: "Notifiche" }, columns: [column(C.teamsWebhookUrl)] },
    ],
  });
}

export function writeSettingsEntity(entities: XMLBuilder, introducedVersion: string): void {
  const { entity } = writeCustomEntity(entities, { table: CoSellSettingsTable, nameColumn: COSELL_SETTINGS_NAME_COLUMN, columns: COSELL_SETTINGS_COLUMNS }, introducedVersion);
  writeSystemForm(entity.ele("FormXml").ele("forms", { type: "main" }), settingsForm(), introducedVersion);
}
