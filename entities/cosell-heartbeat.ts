/**
 * The sync service's heartbeat table: each running instance of the backend keeps one row (named
 * after the instance) and rewrites it every minute with what the health page shows: its version,
 * when the last webhook came from each side, the last reconcile, the Partner Center sign-in's health
 * and expiry, and who holds Partner Center's webhook registration. A row not rewritten for a few
 * minutes means that instance has stopped. The service writes it; admins read it (the health page).
 */
import type { DateTimeColumn, Localized, TableColumnDefinition, TextColumn } from "./column-definition";

export const CoSellHeartbeatTable = {
  logicalName: "pcc_cosellheartbeat",
  schemaName: "pcc_CoSellHeartbeat",
  entitySetName: "pcc_cosellheartbeats",
  primaryId: "pcc_cosellheartbeatid",
  primaryName: "pcc_name",
  displayName: { 1033: "Co-sell sync heartbeat", 1040: "Heartbeat sincronizzazione co-sell" } satisfies Localized,
  collectionName: { 1033: "Co-sell sync heartbeats", 1040: "Heartbeat sincronizzazione co-sell" } satisfies Localized,
  description: {
    1033: "Written every minute by each running instance of the Partner Center co-sell sync service; read by the Sync health page.",
    1040: "Scritta ogni minuto da ogni istanza in esecuzione del servizio di sincronizzazione co-sell di Partner Center; letta dalla pagina Stato della sincronizzazione.",
  } satisfies Localized,
} as const;

export const CoSellHeartbeatColumns = {
  name: "pcc_name",
  beatOn: "pcc_beaton",
  startedOn: "pcc_startedon",
  version: "pcc_version",
  lastDataverseWebhookOn: "pcc_lastdataversewebhookon",
  lastPartnerCenterWebhookOn: "pcc_lastpartnercenterwebhookon",
  lastReconcileOn: "pcc_lastreconcileon",
  signInStatus: "pcc_signinstatus",
  signInExpiresOn: "pcc_signinexpireson",
  webhookHolder: "pcc_webhookholder",
} as const;

/** How often an instance rewrites its row, and when the health page calls a row stale. */
export const HEARTBEAT_INTERVAL_MS = 60_000;
export const HEARTBEAT_STALE_AFTER_MS = 3 * 60_000;

const C = CoSellHeartbeatColumns;

export const COSELL_HEARTBEAT_NAME_COLUMN: TextColumn = {
  type: "text", format: "text", maxLength: 200, logicalName: C.name, schemaName: "pcc_Name",
  displayName: { 1033: "Instance", 1040: "Istanza" },
  description: { 1033: "The service instance that writes this row (host and process).", 1040: "L'istanza del servizio che scrive questa riga (host e processo)." },
  requiredLevel: "required", readOnlyOnForms: true,
};

const when = (logicalName: string, schemaName: string, displayName: Localized, description: Localized): DateTimeColumn => ({
  type: "datetime", behavior: "UserLocal", logicalName, schemaName, displayName, description, requiredLevel: "none", readOnlyOnForms: true,
});

const text = (logicalName: string, schemaName: string, maxLength: number, displayName: Localized, description: Localized): TextColumn => ({
  type: "text", format: "text", maxLength, logicalName, schemaName, displayName, description, requiredLevel: "none", readOnlyOnForms: true,
});

export const COSELL_HEARTBEAT_COLUMNS: readonly TableColumnDefinition[] = [
  when(C.beatOn, "pcc_BeatOn", { 1033: "Last heartbeat", 1040: "Ultimo heartbeat" },
    { 1033: "When the instance last wrote this row (every minute while it runs).", 1040: "Quando l'istanza ha scritto questa riga l'ultima volta (ogni minuto mentre è in esecuzione)." }),
  when(C.startedOn, "pcc_StartedOn", { 1033: "Started on", 1040: "Avviata il" },
    { 1033: "When the instance started.", 1040: "Quando l'istanza è stata avviata." }),
  text(C.version, "pcc_Version", 50, { 1033: "Version", 1040: "Versione" },
    { 1033: "The version of the sync service.", 1040: "La versione del servizio di sincronizzazione." }),
  when(C.lastDataverseWebhookOn, "pcc_LastDataverseWebhookOn", { 1033: "Last webhook from Dynamics 365", 1040: "Ultimo webhook da Dynamics 365" },
    { 1033: "When this instance last accepted a webhook from Dataverse.", 1040: "Quando questa istanza ha accettato l'ultimo webhook da Dataverse." }),
  when(C.lastPartnerCenterWebhookOn, "pcc_LastPartnerCenterWebhookOn", { 1033: "Last webhook from Partner Center", 1040: "Ultimo webhook da Partner Center" },
    { 1033: "When this instance last accepted a webhook from Partner Center.", 1040: "Quando questa istanza ha accettato l'ultimo webhook da Partner Center." }),
  when(C.lastReconcileOn, "pcc_LastReconcileOn", { 1033: "Last reconcile", 1040: "Ultima riconciliazione" },
    { 1033: "When this instance last finished a catch-up or reconcile pass.", 1040: "Quando questa istanza ha terminato l'ultimo passaggio di recupero o riconciliazione." }),
  text(C.signInStatus, "pcc_SignInStatus", 1000, { 1033: "Partner Center sign-in", 1040: "Accesso a Partner Center" },
    { 1033: "The health of the stored Partner Center sign-in: OK, or what to do about it.", 1040: "Lo stato dell'accesso a Partner Center memorizzato: OK, o cosa fare." }),
  when(C.signInExpiresOn, "pcc_SignInExpiresOn", { 1033: "Partner Center sign-in expires", 1040: "Scadenza accesso a Partner Center" },
    { 1033: "When the stored Partner Center sign-in dies if it stays unused (90 days after its last use).", 1040: "Quando l'accesso a Partner Center memorizzato scade se resta inutilizzato (90 giorni dopo l'ultimo uso)." }),
  text(C.webhookHolder, "pcc_WebhookHolder", 1000, { 1033: "Partner Center webhook registration", 1040: "Registrazione webhook di Partner Center" },
    { 1033: "Where Partner Center sends its events (one registration per tenant), and whether that is this service.", 1040: "Dove Partner Center invia i suoi eventi (una registrazione per tenant), e se è questo servizio." }),
];
