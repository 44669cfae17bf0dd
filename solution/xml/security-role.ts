/**
 * The security role for the sync backend's application user, with the least privileges the
 * service needs: it reads and writes opportunities, accounts and contacts across the org (it syncs
 * every seller's deals, hence Global depth), closes opportunities as won/lost (which creates an
 * opportunityclose activity), reads currencies and users, reads (never writes) the co-sell settings row, and reads the field mapping rows, writing only its verdicts and test previews on them (and the default rows into an empty table), and writes its own heartbeat row. It cannot delete anything, and it cannot
 * register webhooks or import solutions: an admin does those once with their own sign-in.
 */
import { CoSellHeartbeatTable, CoSellMappingTable, CoSellSettingsTable } from "../../entities";
import { textElement, type XMLBuilder } from "./xml-helpers";

export const SYNC_SERVICE_ROLE = {
  id: "{0c5f3e2a-7d41-4c3b-8f5e-2b6a9d1c4e70}",
  name: "Partner Center Co-sell Sync Service",
  description: {
    1033: "Least privileges for the application user of the Partner Center co-sell sync service.",
    1040: "Privilegi minimi per l'utente applicazione del servizio di sincronizzazione co-sell di Partner Center.",
  },
} as const;

type Depth = "Basic" | "Local" | "Deep" | "Global";

/** Privilege name → depth. Names are Dataverse's own privilege names (prv<Action><Table>). */
export const SYNC_SERVICE_PRIVILEGES: Readonly<Record<string, Depth>> = {
  prvCreateOpportunity: "Global",
  prvReadOpportunity: "Global",
  prvWriteOpportunity: "Global",
  prvAppendOpportunity: "Global",
  prvAppendToOpportunity: "Global",
  prvCreateAccount: "Global",
  prvReadAccount: "Global",
  prvWriteAccount: "Global",
  prvAppendAccount: "Global",
  prvAppendToAccount: "Global",
  prvCreateContact: "Global",
  prvReadContact: "Global",
  prvWriteContact: "Global",
  prvAppendContact: "Global",
  prvAppendToContact: "Global",
  // WinOpportunity / LoseOpportunity create an opportunityclose activity.
  prvCreateActivity: "Global",
  prvReadActivity: "Global",
  prvAppendActivity: "Global",
  prvReadTransactionCurrency: "Global",
  prvReadUser: "Global",
  // The service checks at start that the columns it maps exist (EntityDefinitions/Attributes).
  prvReadEntity: "Global",
  // Custom tables' privileges are named after the table's schema name (prvReadpcc_CoSellSetting).
  [`prvRead${CoSellSettingsTable.schemaName}`]: "Global",
  // Its own heartbeat row, rewritten every minute (the health page reads it); never deleted.
  [`prvCreate${CoSellHeartbeatTable.schemaName}`]: "Global",
  [`prvRead${CoSellHeartbeatTable.schemaName}`]: "Global",
  [`prvWrite${CoSellHeartbeatTable.schemaName}`]: "Global",
  // The field mapping rows: read them, write each row's verdict and test preview, and create the
  // default rows when the table is empty (a solution cannot carry data rows).
  [`prvRead${CoSellMappingTable.schemaName}`]: "Global",
  [`prvWrite${CoSellMappingTable.schemaName}`]: "Global",
  [`prvCreate${CoSellMappingTable.schemaName}`]: "Global",
};

export function writeSecurityRole(roles: XMLBuilder, introducedVersion: string): void {
  const role = roles.ele("Role", { id: SYNC_SERVICE_ROLE.id, name: SYNC_SERVICE_ROLE.name });
  textElement(role, "IsCustomizable", 1);
  textElement(role, "IntroducedVersion", introducedVersion);
  const privileges = role.ele("RolePrivileges");
  for (const [name, level] of Object.entries(SYNC_SERVICE_PRIVILEGES)) {
    privileges.ele("RolePrivilege", { name, level });
  }
}
