/**
 * The custom columns this solution adds to the standard Opportunity table (docs/DESIGN.md section 4).
 * This list is the single source of truth: the packer generates customizations.xml from it, and the
 * PCF control, web resources and backend import OpportunityColumns instead of spelling names.
 */
import type { ColumnDefinition } from "./column-definition";
import {
  HOW_CAN_MICROSOFT_HELP_OPTIONS,
  REFERRAL_DIRECTION_OPTIONS,
  REFERRAL_STATUS_OPTIONS,
  SYNC_STATUS_OPTIONS,
  SyncStatus,
} from "./option-sets";
import { CUSTOMER_MARKETPLACE_INTENT_OPTIONS, PARTNER_ROLE_OPTIONS, SOLUTION_AREA_OPTIONS, SOLUTION_PLAY_OPTIONS } from "./cosell-taxonomy";

const YES = { 1033: "Yes", 1040: "Sì" } as const;
const NO = { 1033: "No", 1040: "No" } as const;

import { OpportunityColumns } from "./opportunity-column-names";
export { OpportunityColumns, type OpportunityColumnKey, type OpportunityColumnName } from "./opportunity-column-names";
import type { OpportunityColumnName } from "./opportunity-column-names";

const C = OpportunityColumns;

export const OPPORTUNITY_COLUMNS: readonly ColumnDefinition[] = [
  {
    type: "boolean", logicalName: C.syncWithPartnerCenter, schemaName: "pcc_SyncWithPartnerCenter",
    displayName: { 1033: "Sync with Partner Center", 1040: "Sincronizza con Partner Center" },
    description: {
      1033: "Share this opportunity with Microsoft as a co-sell referral in Partner Center and keep both in step.",
      1040: "Condividi questa opportunità con Microsoft come referral co-sell in Partner Center e mantienili allineati.",
    },
    requiredLevel: "none", readOnlyOnForms: false, defaultValue: false, trueLabel: YES, falseLabel: NO,
  },
  {
    type: "text", format: "text", maxLength: 100, logicalName: C.referralIdentifier, schemaName: "pcc_ReferralIdentifier",
    displayName: { 1033: "Referral Identifier", 1040: "Identificatore referral" },
    description: {
      1033: "Id of the linked Partner Center referral. Set by the sync service.",
      1040: "Id del referral collegato in Partner Center. Impostato dal servizio di sincronizzazione.",
    },
    requiredLevel: "none", readOnlyOnForms: true,
  },
  {
    type: "text", format: "url", maxLength: 500, logicalName: C.referralLink, schemaName: "pcc_ReferralLink",
    displayName: { 1033: "Referral Link", 1040: "Link al referral" },
    description: {
      1033: "Link that opens the referral in Partner Center.",
      1040: "Link che apre il referral in Partner Center.",
    },
    requiredLevel: "none", readOnlyOnForms: true,
  },
  {
    type: "choice", options: HOW_CAN_MICROSOFT_HELP_OPTIONS, defaultValue: null,
    logicalName: C.howCanMicrosoftHelp, schemaName: "pcc_HowCanMicrosoftHelp",
    displayName: { 1033: "How can Microsoft help?", 1040: "Come può aiutare Microsoft?" },
    description: {
      1033: "The help you ask of Microsoft sellers for this deal.",
      1040: "L'aiuto richiesto ai venditori Microsoft per questa trattativa.",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
  {
    type: "memo", maxLength: 2000, logicalName: C.products, schemaName: "pcc_Products",
    displayName: { 1033: "Products", 1040: "Prodotti" },
    description: {
      1033: "Co-sell solution ids, one per line (for example SOL-12345-ABC).",
      1040: "Id delle soluzioni co-sell, uno per riga (ad esempio SOL-12345-ABC).",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
  {
    type: "memo", maxLength: 100000, logicalName: C.audit, schemaName: "pcc_Audit",
    displayName: { 1033: "Audit", 1040: "Registro modifiche" },
    description: {
      1033: "What the sync changed and when, newest first.",
      1040: "Cosa ha modificato la sincronizzazione e quando, dal più recente.",
    },
    requiredLevel: "none", readOnlyOnForms: true,
  },
  {
    type: "boolean", logicalName: C.shareWithMicrosoftSellers, schemaName: "pcc_ShareWithMicrosoftSellers",
    displayName: { 1033: "Share with Microsoft sellers", 1040: "Condividi con i venditori Microsoft" },
    description: {
      1033: "Consent to share the referral with Microsoft sellers. Once Yes it cannot go back to No.",
      1040: "Consenso a condividere il referral con i venditori Microsoft. Una volta Sì non può tornare a No.",
    },
    requiredLevel: "none", readOnlyOnForms: false, defaultValue: false, trueLabel: YES, falseLabel: NO,
  },
  {
    type: "choice", options: SYNC_STATUS_OPTIONS, defaultValue: SyncStatus.NotSynced,
    logicalName: C.syncStatus, schemaName: "pcc_SyncStatus",
    displayName: { 1033: "Sync Status", 1040: "Stato sincronizzazione" },
    description: {
      1033: "Where the sync with Partner Center stands for this opportunity.",
      1040: "Lo stato della sincronizzazione con Partner Center per questa opportunità.",
    },
    requiredLevel: "none", readOnlyOnForms: true,
  },
  {
    type: "text", format: "text", maxLength: 2000, logicalName: C.syncError, schemaName: "pcc_SyncError",
    displayName: { 1033: "Sync Error", 1040: "Errore di sincronizzazione" },
    description: {
      1033: "Why the last sync failed, in plain words. Empty when all is well.",
      1040: "Perché l'ultima sincronizzazione non è riuscita. Vuoto quando va tutto bene.",
    },
    requiredLevel: "none", readOnlyOnForms: true,
  },
  {
    // Written by the sync backend only (entities/conflict-notice.ts); the co-sell section shows it.
    type: "memo", maxLength: 4000, logicalName: C.conflictNotice, schemaName: "pcc_ConflictNotice",
    displayName: { 1033: "Conflict Notice", 1040: "Avviso di conflitto" },
    description: {
      1033: "Fields last changed in Partner Center and in Dynamics 365 at once, with the value that did not win.",
      1040: "Campi modificati contemporaneamente in Partner Center e in Dynamics 365, con il valore non mantenuto.",
    },
    requiredLevel: "none", readOnlyOnForms: true,
  },
  {
    type: "datetime", behavior: "UserLocal", logicalName: C.lastSyncedOn, schemaName: "pcc_LastSyncedOn",
    displayName: { 1033: "Last Synced On", 1040: "Ultima sincronizzazione" },
    description: {
      1033: "When the opportunity and its referral were last in step (UTC).",
      1040: "Quando opportunità e referral sono stati allineati l'ultima volta (UTC).",
    },
    requiredLevel: "none", readOnlyOnForms: true,
  },
  {
    type: "datetime", behavior: "UserLocal", logicalName: C.syncRequestedOn, schemaName: "pcc_SyncRequestedOn",
    displayName: { 1033: "Sync Requested On", 1040: "Sincronizzazione richiesta il" },
    description: {
      1033: "Written by \"Sync now\" to ask the sync service for an immediate sync.",
      1040: "Scritto da \"Sincronizza ora\" per chiedere una sincronizzazione immediata.",
    },
    requiredLevel: "none", readOnlyOnForms: true,
  },
  {
    type: "choice", options: REFERRAL_STATUS_OPTIONS, defaultValue: null,
    logicalName: C.referralStatus, schemaName: "pcc_ReferralStatus",
    displayName: { 1033: "Referral Status", 1040: "Stato referral" },
    description: {
      1033: "Status and substatus of the referral in Partner Center.",
      1040: "Stato e sottostato del referral in Partner Center.",
    },
    requiredLevel: "none", readOnlyOnForms: true,
  },
  {
    type: "choice", options: REFERRAL_DIRECTION_OPTIONS, defaultValue: null,
    logicalName: C.referralDirection, schemaName: "pcc_ReferralDirection",
    displayName: { 1033: "Referral Direction", 1040: "Direzione referral" },
    description: {
      1033: "Incoming: Microsoft sent it to you. Outgoing: you shared it with Microsoft.",
      1040: "In entrata: inviato da Microsoft. In uscita: condiviso da te con Microsoft.",
    },
    requiredLevel: "none", readOnlyOnForms: true,
  },
  {
    type: "text", format: "text", maxLength: 500, logicalName: C.statusReason, schemaName: "pcc_StatusReason",
    displayName: { 1033: "Status Reason", 1040: "Motivo dello stato" },
    description: {
      1033: "Why the referral was declined or lost.",
      1040: "Perché il referral è stato rifiutato o perso.",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
  {
    type: "text", format: "text", maxLength: 100, logicalName: C.microsoftCrmIdentifier, schemaName: "pcc_MicrosoftCrmIdentifier",
    displayName: { 1033: "Microsoft CRM Identifier", 1040: "Identificatore CRM Microsoft" },
    description: {
      1033: "Microsoft's own id for the deal, once a Microsoft seller engages.",
      1040: "L'id della trattativa presso Microsoft, quando un venditore Microsoft se ne occupa.",
    },
    requiredLevel: "none", readOnlyOnForms: true,
  },
  {
    type: "text", format: "text", maxLength: 100, logicalName: C.microsoftMsxId, schemaName: "pcc_MicrosoftMsxId",
    displayName: { 1033: "Microsoft Seller Opportunity (MSX)", 1040: "Opportunità del venditore Microsoft (MSX)" },
    description: {
      1033: "The Microsoft seller's opportunity id (MSX), as Partner Center reports it. Set by the sync service.",
      1040: "L'id dell'opportunità del venditore Microsoft (MSX), come indicato da Partner Center. Impostato dal servizio di sincronizzazione.",
    },
    requiredLevel: "none", readOnlyOnForms: true,
  },
  {
    type: "choice", options: CUSTOMER_MARKETPLACE_INTENT_OPTIONS, defaultValue: null,
    logicalName: C.customerMarketplaceIntent, schemaName: "pcc_CustomerMarketplaceIntent",
    displayName: { 1033: "Customer Marketplace Intent", 1040: "Intenzione di acquisto nel Marketplace" },
    description: {
      1033: "Whether the customer intends to buy through Microsoft's commercial marketplace. Sent to Partner Center when the deal is shared (Have not decided when empty).",
      1040: "Se il cliente intende acquistare tramite il marketplace commerciale Microsoft. Inviato a Partner Center alla condivisione (Non ancora deciso se vuoto).",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
  {
    type: "choice", options: PARTNER_ROLE_OPTIONS, defaultValue: null,
    logicalName: C.partnerRole, schemaName: "pcc_PartnerRole",
    displayName: { 1033: "Partner Role (services co-sell)", 1040: "Ruolo del partner (co-sell di servizi)" },
    description: {
      1033: "Your role on a services co-sell deal. Choosing one makes the deal services co-sell: solution area and play are then required.",
      1040: "Il tuo ruolo in una trattativa co-sell di servizi. Sceglierlo rende la trattativa co-sell di servizi: area e play della soluzione diventano obbligatori.",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
  {
    type: "choice", options: SOLUTION_AREA_OPTIONS, defaultValue: null,
    logicalName: C.solutionArea, schemaName: "pcc_SolutionArea",
    displayName: { 1033: "Solution Area (services co-sell)", 1040: "Area della soluzione (co-sell di servizi)" },
    description: {
      1033: "Microsoft's solution area of a services co-sell deal (FY26 taxonomy).",
      1040: "L'area della soluzione Microsoft di una trattativa co-sell di servizi (tassonomia FY26).",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
  {
    type: "choice", options: SOLUTION_PLAY_OPTIONS, defaultValue: null,
    logicalName: C.solutionPlay, schemaName: "pcc_SolutionPlay",
    displayName: { 1033: "Solution Play (services co-sell)", 1040: "Play della soluzione (co-sell di servizi)" },
    description: {
      1033: "Microsoft's solution play of a services co-sell deal (FY26 taxonomy); it must belong to the solution area.",
      1040: "Il play della soluzione Microsoft di una trattativa co-sell di servizi (tassonomia FY26); deve appartenere all'area della soluzione.",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
];

/** Look a column up by logical name; throws when the name is not one of ours. */
export function opportunityColumn(logicalName: OpportunityColumnName): ColumnDefinition {
  const column = OPPORTUNITY_COLUMNS.find((c) => c.logicalName === logicalName);
  if (!column) throw new Error(`Unknown opportunity column ${logicalName}`);
  return column;
}
