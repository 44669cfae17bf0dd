/**
 * The choice (option set) values of our opportunity columns, exactly as docs/DESIGN.md section 4 lists
 * them. The const objects give code names to values; the *_OPTIONS arrays carry the labels the
 * solution ships.
 */
import type { OptionDefinition } from "./column-definition";

export const HowCanMicrosoftHelp = {
  WorkloadSpecificValueProposition: 581200000,
  CustomerTechnicalArchitecture: 581200001,
  ProofOfConceptOrDemo: 581200002,
  QuotesOrLicensing: 581200003,
  PostSalesCustomerSuccess: 581200004,
  GeneralOrOther: 581200005,
} as const;
export type HowCanMicrosoftHelp = (typeof HowCanMicrosoftHelp)[keyof typeof HowCanMicrosoftHelp];

export const SyncStatus = {
  NotSynced: 581200000,
  Pending: 581200001,
  Synced: 581200002,
  Error: 581200003,
} as const;
export type SyncStatus = (typeof SyncStatus)[keyof typeof SyncStatus];

export const ReferralStatus = {
  NewPending: 581200000,
  NewReceived: 581200001,
  ActiveAccepted: 581200002,
  ClosedWon: 581200003,
  ClosedLost: 581200004,
  ClosedDeclined: 581200005,
  ClosedExpired: 581200006,
  /** Partner Center closed it as erroneous (a duplicate, a test referral, bad data). */
  ClosedError: 581200007,
} as const;
export type ReferralStatus = (typeof ReferralStatus)[keyof typeof ReferralStatus];

export const ReferralDirection = {
  Incoming: 581200000,
  Outgoing: 581200001,
} as const;
export type ReferralDirection = (typeof ReferralDirection)[keyof typeof ReferralDirection];

export const HOW_CAN_MICROSOFT_HELP_OPTIONS: readonly OptionDefinition[] = [
  { value: HowCanMicrosoftHelp.WorkloadSpecificValueProposition, code: "WorkloadSpecificValueProposition",
    label: { 1033: "Workload-specific value proposition", 1040: "Proposta di valore specifica per il carico di lavoro" } },
  { value: HowCanMicrosoftHelp.CustomerTechnicalArchitecture, code: "CustomerTechnicalArchitecture",
    label: { 1033: "Customer technical architecture", 1040: "Architettura tecnica del cliente" } },
  { value: HowCanMicrosoftHelp.ProofOfConceptOrDemo, code: "ProofOfConceptOrDemo",
    label: { 1033: "Proof of concept or demo", 1040: "Proof of concept o demo" } },
  { value: HowCanMicrosoftHelp.QuotesOrLicensing, code: "QuotesOrLicensing",
    label: { 1033: "Quotes or licensing", 1040: "Preventivi o licenze" } },
  { value: HowCanMicrosoftHelp.PostSalesCustomerSuccess, code: "PostSalesCustomerSuccess",
    label: { 1033: "Post-sales customer success", 1040: "Customer success post-vendita" } },
  { value: HowCanMicrosoftHelp.GeneralOrOther, code: "GeneralOrOther",
    label: { 1033: "General or other", 1040: "Generale o altro" } },
];

export const SYNC_STATUS_OPTIONS: readonly OptionDefinition[] = [
  { value: SyncStatus.NotSynced, code: "NotSynced", label: { 1033: "Not synced", 1040: "Non sincronizzato" } },
  { value: SyncStatus.Pending, code: "Pending", label: { 1033: "Pending", 1040: "In attesa" } },
  { value: SyncStatus.Synced, code: "Synced", label: { 1033: "✔ Synced", 1040: "✔ Sincronizzato" } },
  { value: SyncStatus.Error, code: "Error", label: { 1033: "Error", 1040: "Errore" } },
];

export const REFERRAL_STATUS_OPTIONS: readonly OptionDefinition[] = [
  { value: ReferralStatus.NewPending, code: "NewPending", label: { 1033: "New / Pending", 1040: "Nuovo / In sospeso" } },
  { value: ReferralStatus.NewReceived, code: "NewReceived", label: { 1033: "New / Received", 1040: "Nuovo / Ricevuto" } },
  { value: ReferralStatus.ActiveAccepted, code: "ActiveAccepted", label: { 1033: "Active / Accepted", 1040: "Attivo / Accettato" } },
  { value: ReferralStatus.ClosedWon, code: "ClosedWon", label: { 1033: "Closed / Won", 1040: "Chiuso / Vinto" } },
  { value: ReferralStatus.ClosedLost, code: "ClosedLost", label: { 1033: "Closed / Lost", 1040: "Chiuso / Perso" } },
  { value: ReferralStatus.ClosedDeclined, code: "ClosedDeclined", label: { 1033: "Closed / Declined", 1040: "Chiuso / Rifiutato" } },
  { value: ReferralStatus.ClosedExpired, code: "ClosedExpired", label: { 1033: "Closed / Expired", 1040: "Chiuso / Scaduto" } },
  { value: ReferralStatus.ClosedError, code: "ClosedError", label: { 1033: "Closed / Error", 1040: "Chiuso / Errore" } },
];

export const REFERRAL_DIRECTION_OPTIONS: readonly OptionDefinition[] = [
  { value: ReferralDirection.Incoming, code: "Incoming", label: { 1033: "Incoming", 1040: "In entrata" } },
  { value: ReferralDirection.Outgoing, code: "Outgoing", label: { 1033: "Outgoing", 1040: "In uscita" } },
];
