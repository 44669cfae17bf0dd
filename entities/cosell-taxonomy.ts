/**
 * The co-sell taxonomy Partner Center asks for on services co-sell referrals (partner role, solution
 * area, solution play) and for every co-sell deal (the customer's marketplace purchase intent), in
 * one place: the columns, the form, the backend's mapping and the checks all read these lists.
 *
 * When Microsoft changes the taxonomy (it did for FY26, July 2025), edit the lists here: `code` is
 * what the API carries, the labels are what sellers see. Add new values with new option numbers and
 * leave retired ones in place (records may hold them), marking them `retired`.
 *
 * Sources and certainty (see shared/reference/real-world-contract.md): the field names are seen in
 * real responses; the marketplace intent values (Yes / No / Have not decided, API id
 * "HaveNotDecided") are documented; partner roles are the portal's labels (Apr-2023 docs), FY26
 * solution areas and plays are Microsoft's published FY26 names. The API spellings of roles, areas
 * and plays are NOT published: the codes below are our PascalCase of the labels, unconfirmed.
 */
import type { OptionDefinition } from "./column-definition";

export interface TaxonomyOption extends OptionDefinition {
  /** Kept for records that hold it; not offered for new deals. */
  readonly retired?: boolean;
  /** For solution plays: the solution area they belong to. */
  readonly area?: string;
}

export const CUSTOMER_MARKETPLACE_INTENT_OPTIONS: readonly TaxonomyOption[] = [
  { value: 581200000, code: "Yes", label: { 1033: "Yes", 1040: "Sì" } },
  { value: 581200001, code: "No", label: { 1033: "No", 1040: "No" } },
  { value: 581200002, code: "HaveNotDecided", label: { 1033: "Have not decided", 1040: "Non ancora deciso" } },
];

export const PARTNER_ROLE_OPTIONS: readonly TaxonomyOption[] = [
  { value: 581200000, code: "PresalesEnvisioning", label: { 1033: "Presales envisioning", 1040: "Envisioning di prevendita" } },
  { value: 581200001, code: "SolutionDesign", label: { 1033: "Solution design", 1040: "Progettazione della soluzione" } },
  { value: 581200002, code: "ProofOfConcept", label: { 1033: "Proof of concept", 1040: "Proof of concept" } },
  { value: 581200003, code: "BusinessStrategy", label: { 1033: "Business strategy", 1040: "Strategia di business" } },
  { value: 581200004, code: "DeploymentServices", label: { 1033: "Deployment services", 1040: "Servizi di deployment" } },
  { value: 581200005, code: "AdoptionAndChangeManagement", label: { 1033: "Adoption and change management", 1040: "Adozione e gestione del cambiamento" } },
  { value: 581200006, code: "Transaction", label: { 1033: "Transaction", 1040: "Transazione" } },
  { value: 581200007, code: "ManagedServices", label: { 1033: "Managed services", 1040: "Servizi gestiti" } },
];

export const SOLUTION_AREA_OPTIONS: readonly TaxonomyOption[] = [
  { value: 581200000, code: "AIBusinessSolutions", label: { 1033: "AI Business Solutions", 1040: "Soluzioni di business con AI" } },
  { value: 581200001, code: "CloudAndAIPlatforms", label: { 1033: "Cloud & AI Platforms", 1040: "Piattaforme cloud e AI" } },
  { value: 581200002, code: "Security", label: { 1033: "Security", 1040: "Sicurezza" } },
];

export const SOLUTION_PLAY_OPTIONS: readonly TaxonomyOption[] = [
  { value: 581200000, code: "CopilotAndAgentsAtWork", area: "AIBusinessSolutions", label: { 1033: "Copilot and agents at work", 1040: "Copilot e agenti al lavoro" } },
  { value: 581200001, code: "SalesTransformationWithAI", area: "AIBusinessSolutions", label: { 1033: "Sales transformation with AI", 1040: "Trasformazione delle vendite con l'AI" } },
  { value: 581200002, code: "ServiceTransformationWithAI", area: "AIBusinessSolutions", label: { 1033: "Service transformation with AI", 1040: "Trasformazione del servizio con l'AI" } },
  { value: 581200003, code: "FinanceAndSupplyChainTransformationWithAI", area: "AIBusinessSolutions", label: { 1033: "Finance and supply chain transformation with AI", 1040: "Trasformazione di finanza e supply chain con l'AI" } },
  { value: 581200004, code: "MigrateAndModernizeYourEstate", area: "CloudAndAIPlatforms", label: { 1033: "Migrate and modernize your estate", 1040: "Migra e modernizza il tuo patrimonio IT" } },
  { value: 581200005, code: "UnifyYourDataPlatform", area: "CloudAndAIPlatforms", label: { 1033: "Unify your data platform", 1040: "Unifica la tua piattaforma dati" } },
  { value: 581200006, code: "InnovateWithAzureAIAppsAndAgents", area: "CloudAndAIPlatforms", label: { 1033: "Innovate with Azure AI apps and agents", 1040: "Innova con app e agenti Azure AI" } },
  { value: 581200007, code: "ModernSecOpsWithUnifiedPlatform", area: "Security", label: { 1033: "Modern SecOps with unified platform", 1040: "SecOps moderne con piattaforma unificata" } },
  { value: 581200008, code: "DataSecurity", area: "Security", label: { 1033: "Data security", 1040: "Sicurezza dei dati" } },
  { value: 581200009, code: "ProtectCloudAIPlatformAndApps", area: "Security", label: { 1033: "Protect cloud, AI platform and apps", 1040: "Proteggi cloud, piattaforma AI e app" } },
];

/** The option whose code Partner Center sent (case-insensitive), or undefined when unknown. */
export function optionForCode(options: readonly TaxonomyOption[], code: string | null | undefined): TaxonomyOption | undefined {
  if (!code) return undefined;
  const wanted = code.replace(/[^a-z0-9]/gi, "").toLowerCase();
  return options.find((option) => option.code.toLowerCase() === wanted);
}

export function optionForValue(options: readonly TaxonomyOption[], value: unknown): TaxonomyOption | undefined {
  return options.find((option) => option.value === value);
}
