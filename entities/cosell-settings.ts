/**
 * The co-sell settings table: one org-owned row an admin edits in Dynamics 365 (conflict policy,
 * catch-up interval, Teams notification target, pause all sync). The packer writes the table from
 * these definitions, the sandbox learns it from the imported solution, and the backend reads the row.
 */
import type { Localized, OptionDefinition, TableColumnDefinition, TextColumn } from "./column-definition";

export const CoSellSettingsTable = {
  logicalName: "pcc_cosellsetting",
  schemaName: "pcc_CoSellSetting",
  entitySetName: "pcc_cosellsettings",
  primaryId: "pcc_cosellsettingid",
  primaryName: "pcc_name",
  displayName: { 1033: "Co-sell setting", 1040: "Impostazione co-sell" } satisfies Localized,
  collectionName: { 1033: "Co-sell settings", 1040: "Impostazioni co-sell" } satisfies Localized,
  description: {
    1033: "How the Partner Center co-sell sync service behaves. Keep one row: the service reads the oldest active one.",
    1040: "Come si comporta il servizio di sincronizzazione co-sell di Partner Center. Tenere una sola riga: il servizio legge la più vecchia attiva.",
  } satisfies Localized,
} as const;

export const CoSellSettingsColumns = {
  name: "pcc_name",
  conflictPolicy: "pcc_conflictpolicy",
  catchUpIntervalSeconds: "pcc_catchupintervalseconds",
  teamsWebhookUrl: "pcc_teamswebhookurl",
  pauseAllSync: "pcc_pauseallsync",
} as const;

/** Option values of pcc_conflictpolicy; each code is the policy's name in the mapping file (field-mapping.config.ts). */
export const ConflictPolicyOption = {
  LatestWins: 581200000,
  CrmWins: 581200001,
  PartnerCenterWins: 581200002,
} as const;

export const CONFLICT_POLICY_OPTIONS: readonly OptionDefinition[] = [
  { value: ConflictPolicyOption.LatestWins, code: "latest-wins", label: { 1033: "Latest change wins", 1040: "Vince la modifica più recente" } },
  { value: ConflictPolicyOption.CrmWins, code: "crm-wins", label: { 1033: "Dynamics 365 wins", 1040: "Vince Dynamics 365" } },
  { value: ConflictPolicyOption.PartnerCenterWins, code: "partner-center-wins", label: { 1033: "Partner Center wins", 1040: "Vince Partner Center" } },
];

/** Bounds of the catch-up interval an admin may set (seconds), the same as CATCH_UP_INTERVAL_SECONDS takes. */
export const CATCH_UP_INTERVAL_RANGE = { min: 5, max: 60 } as const;

const C = CoSellSettingsColumns;

/** The primary name column every custom table has. */
export const COSELL_SETTINGS_NAME_COLUMN: TextColumn = {
  type: "text", format: "text", maxLength: 100, logicalName: C.name, schemaName: "pcc_Name",
  displayName: { 1033: "Name", 1040: "Nome" },
  description: { 1033: "A name for this settings row.", 1040: "Un nome per questa riga di impostazioni." },
  requiredLevel: "required", readOnlyOnForms: false,
};

export const COSELL_SETTINGS_COLUMNS: readonly TableColumnDefinition[] = [
  {
    type: "choice", logicalName: C.conflictPolicy, schemaName: "pcc_ConflictPolicy", options: CONFLICT_POLICY_OPTIONS, defaultValue: null,
    displayName: { 1033: "Conflict policy", 1040: "Criterio per i conflitti" },
    description: {
      1033: "Which side wins when the same field changed on both sides since the last sync. Empty: the mapping file's default (latest change wins; two changes too close together to tell which came last keep the Dynamics 365 value).",
      1040: "Quale lato vince quando lo stesso campo è cambiato su entrambi i lati dall'ultima sincronizzazione. Vuoto: il valore predefinito del file di mapping (vince la modifica più recente; due modifiche troppo vicine per stabilire quale sia l'ultima mantengono il valore di Dynamics 365).",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
  {
    type: "wholenumber", logicalName: C.catchUpIntervalSeconds, schemaName: "pcc_CatchUpIntervalSeconds",
    minValue: CATCH_UP_INTERVAL_RANGE.min, maxValue: CATCH_UP_INTERVAL_RANGE.max,
    displayName: { 1033: "Catch-up interval (seconds)", 1040: "Intervallo di recupero (secondi)" },
    description: {
      1033: "How often the service looks for changes a webhook missed. Empty: the service's CATCH_UP_INTERVAL_SECONDS.",
      1040: "Ogni quanto il servizio cerca le modifiche perse da un webhook. Vuoto: CATCH_UP_INTERVAL_SECONDS del servizio.",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
  {
    type: "text", format: "url", maxLength: 2000, logicalName: C.teamsWebhookUrl, schemaName: "pcc_TeamsWebhookUrl",
    displayName: { 1033: "Teams notification webhook URL", 1040: "URL webhook per le notifiche Teams" },
    description: {
      1033: "The URL of a Teams Workflows flow \"Post to a channel when a webhook request is received\": new Microsoft referrals are posted there. Empty: no notification.",
      1040: "L'URL di un flusso Teams Workflows \"Pubblica in un canale alla ricezione di una richiesta webhook\": i nuovi referral di Microsoft vi vengono pubblicati. Vuoto: nessuna notifica.",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
  {
    type: "boolean", logicalName: C.pauseAllSync, schemaName: "pcc_PauseAllSync", defaultValue: false,
    trueLabel: { 1033: "Paused", 1040: "In pausa" }, falseLabel: { 1033: "Running", 1040: "In esecuzione" },
    displayName: { 1033: "Pause all sync", 1040: "Sospendi tutta la sincronizzazione" },
    description: {
      1033: "Yes stops the service from syncing within seconds; changes are still received and queued, and sync resumes when set back to No.",
      1040: "Sì ferma la sincronizzazione entro pochi secondi; le modifiche vengono comunque ricevute e accodate, e la sincronizzazione riprende quando si reimposta No.",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
];
