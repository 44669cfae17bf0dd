/**
 * The switch plan, read-only: every opportunity and lead that carries one of Microsoft's referral
 * ids, checked against Partner Center (the referral exists, its externalReferenceId is the record's
 * id) and against our store (not linked elsewhere already), sorted into links to adopt, links
 * already adopted, conflicts (with what to do), leads to qualify; plus who holds Partner Center's
 * webhook registration. `--apply` acts on exactly this plan (switch-apply.ts).
 */
import { OpportunityColumns as C, Tables } from "../../entities";
import type { DataverseClient } from "../dataverse/dataverse-client";
import { odataString } from "../dataverse/odata-rows";
import { microsoftInvitationFor, normalizeSolutionIds, parseSolutionLines, type OpportunityMappingContext, type SyncMapping } from "../engine";
import { PartnerCenterError } from "../partner-center/partner-center-error";
import { MICROSOFT_ORGANIZATION_ID, type Referral } from "../partner-center/referral-types";
import type { ReferralsClient } from "../partner-center/referrals-client";
import type { WebhookRegistration } from "../partner-center/webhook-registration-client";
import type { SyncStore } from "../store";
import type { CrmGateway, CrmRow } from "../worker/crm-gateway";
import { planAdoption, type Adoption } from "./adoption";
import { readAll, str, type Row } from "./dataverse-reads";
import type { MicrosoftConnector, MicrosoftFlow } from "./microsoft-connector-discovery";

export interface RecordRef {
  readonly table: "opportunity" | "lead";
  readonly id: string;
  readonly name: string;
}

export interface PlannedLink {
  readonly record: RecordRef;
  readonly referral: Referral;
  readonly opportunity: CrmRow;
  readonly adoption: Adoption;
  /** Microsoft's solution ids for the opportunity; null when its rows do not say (Partner Center's are kept). */
  readonly solutionIds: readonly string[] | null;
  /** Microsoft's side of the co-sell engagement exists (no invitation to send after the switch). */
  readonly microsoftInvited: boolean;
  /** A co-sell deal of ours whose invitation to Microsoft never went out: the first sync sends it. */
  readonly invitesMicrosoft: boolean;
}

export interface Conflict {
  readonly record: RecordRef;
  readonly referralId: string;
  readonly problem: string;
  readonly todo: string;
}

export interface PlannedLead {
  readonly record: RecordRef;
  readonly referral: Referral;
  /** The opportunity our connector already holds for the referral: only closing the lead is left. */
  readonly opportunityId?: string;
  readonly todo: string;
}

export type RegistrationOwner = "microsoft-flow" | "ours" | "other" | "none";

export interface SwitchPlan {
  readonly connector: MicrosoftConnector;
  readonly adopt: readonly PlannedLink[];
  readonly alreadyAdopted: readonly RecordRef[];
  readonly conflicts: readonly Conflict[];
  readonly leads: readonly PlannedLead[];
  readonly registration: { readonly owner: RegistrationOwner; readonly url: string | null };
}

export interface PlanDependencies {
  readonly dataverse: DataverseClient;
  readonly crm: CrmGateway;
  readonly referrals: ReferralsClient;
  readonly store: SyncStore;
  readonly referralLink: (referralId: string) => string;
  readonly registration: WebhookRegistration | undefined;
  /** This backend's Partner Center webhook URL, when known (PUBLIC_BASE_URL). */
  readonly ourWebhookUrl: string | null;
  /** The mapping serve syncs with (MAPPING_FILE applied), so "differs" is what its first sync sees. */
  readonly mapping: SyncMapping;
  readonly at: string;
}

const OPEN_LEAD = 0;

const flowKey = (id: string) => id.replace(/[{}-]/g, "").toLowerCase();

/** The path of a Logic App's or cloud flow's HTTP trigger: …/workflows/{id}/triggers/… */
export const FLOW_TRIGGER_PATH = /\/workflows\/([^/]+)\/triggers\//i;

/**
 * The one of Microsoft's flows a Partner Center webhook URL triggers (…/workflows/{id}/triggers/…),
 * or null: any other URL, another tool's Logic App or flow included, is not Microsoft's.
 */
export function microsoftFlowOf(url: string, flows: readonly MicrosoftFlow[]): MicrosoftFlow | null {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return null;
  }
  const id = FLOW_TRIGGER_PATH.exec(path)?.[1];
  return id ? (flows.find((flow) => flowKey(flow.id) === flowKey(decodeURIComponent(id))) ?? null) : null;
}

function registrationOwner(registration: WebhookRegistration | undefined, ours: string | null, flows: readonly MicrosoftFlow[]): SwitchPlan["registration"] {
  if (!registration) return { owner: "none", url: null };
  const url = registration.WebhookUrl;
  if (ours && url.replace(/\/+$/, "") === ours.replace(/\/+$/, "")) return { owner: "ours", url };
  return { owner: microsoftFlowOf(url, flows) ? "microsoft-flow" : "other", url };
}

/** Partner Center answered something other than "not found" for a referral: the plan cannot tell, so it stops. */
export class ReferralCheckError extends Error {
  constructor(readonly record: RecordRef, readonly referralId: string, cause: PartnerCenterError) {
    super(
      `Partner Center answered ${cause.status || "nothing"} (${cause.code}) when asked for referral ${referralId} of ${record.table} "${record.name}" ${record.id}: ${cause.message}. `
        + "The plan stops rather than take the referral for gone. Nothing was changed: check Partner Center's sign-in and role (`cosell doctor`), then run this again.",
      { cause },
    );
    this.name = "ReferralCheckError";
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A GUID as Microsoft's connector may write it ({…}, any case) in the plain lower-case form; null when it is not one. */
export function normalizeGuid(raw: unknown): string | null {
  const id = String(raw ?? "").trim().replace(/^\{(.*)\}$/, "$1").toLowerCase();
  return GUID.test(id) ? id : null;
}

/** The referral, or null when Partner Center says it does not exist (404 only). */
async function referralOrNull(referrals: ReferralsClient, id: string, record: RecordRef): Promise<Referral | null> {
  try {
    return await referrals.get(id);
  } catch (error) {
    if (!(error instanceof PartnerCenterError)) throw error;
    if (error.status === 404) return null;
    throw new ReferralCheckError(record, id, error);
  }
}

const notAReferralId = (record: RecordRef, raw: unknown): Conflict => ({
  record, referralId: String(raw).trim(),
  problem: `Microsoft's referral id column holds "${String(raw).trim()}", which is not a referral id`,
  todo: "not adopted; correct or clear Microsoft's referral id on it",
});

const nameOf = (row: Row, column: string) => str(row[column]) ?? "(no name)";

async function solutionIdsByOpportunity(dataverse: DataverseClient, connector: MicrosoftConnector): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  const tables = connector.solutionTables;
  if (!tables) return result;
  const details = await readAll(dataverse, `${tables.detailEntitySet}?$select=${tables.detailPrimaryId},${tables.identifierColumn}`);
  const identifier = new Map(details.map((d) => [String(d[tables.detailPrimaryId]).toLowerCase(), str(d[tables.identifierColumn])]));
  const rows = await readAll(dataverse, `${tables.rowsEntitySet}?$select=_${tables.opportunityLookup}_value,_${tables.detailLookup}_value`);
  for (const row of rows) {
    const opportunityId = str(row[`_${tables.opportunityLookup}_value`])?.toLowerCase();
    const id = identifier.get(String(row[`_${tables.detailLookup}_value`]).toLowerCase());
    if (!opportunityId || !id) continue;
    result.set(opportunityId, [...(result.get(opportunityId) ?? []), id]);
  }
  return result;
}

/**
 * The "Microsoft Solutions" rows when the org has that table (its obsolete text column is stale
 * then), else the text column; null when neither names a solution: unknown, not "none".
 */
function microsoftSolutionIds(connector: MicrosoftConnector, rows: Map<string, string[]>, opportunityId: string, row: Row): string[] | null {
  const fromRows = rows.get(opportunityId.toLowerCase());
  if (connector.solutionTables) return fromRows ?? null;
  const column = connector.opportunityColumns.solutionsText;
  const fromText = column ? normalizeSolutionIds(parseSolutionLines(row[column])) : [];
  return fromText.length > 0 ? fromText : null;
}

export async function buildSwitchPlan(connector: MicrosoftConnector, deps: PlanDependencies): Promise<SwitchPlan> {
  const { dataverse, crm, referrals, store } = deps;
  const columns = connector.opportunityColumns;
  const referralColumn = columns.referralId;
  const microsoftColumns = Object.values(columns).filter((c, i, all) => all.indexOf(c) === i);
  const opportunities = await readAll(
    dataverse,
    `${Tables.opportunity.entitySetName}?$select=${[Tables.opportunity.primaryId, Tables.opportunity.primaryName, ...microsoftColumns].join(",")}&$filter=${referralColumn} ne null&$orderby=createdon asc`,
  );
  const solutions = await solutionIdsByOpportunity(dataverse, connector);
  const ctx: OpportunityMappingContext = { mapping: deps.mapping, currencies: await crm.currencyList() };

  const adopt: PlannedLink[] = [];
  const alreadyAdopted: RecordRef[] = [];
  const conflicts: Conflict[] = [];
  const byReferral = new Map<string, Row[]>();
  const opportunityRef = (row: Row): RecordRef => ({ table: "opportunity", id: String(row[Tables.opportunity.primaryId]), name: nameOf(row, Tables.opportunity.primaryName) });
  for (const row of opportunities) {
    const referralId = normalizeGuid(row[referralColumn]);
    if (!referralId) {
      conflicts.push(notAReferralId(opportunityRef(row), row[referralColumn]));
      continue;
    }
    byReferral.set(referralId, [...(byReferral.get(referralId) ?? []), row]);
  }

  for (const [referralId, rows] of byReferral) {
    const refs = rows.map(opportunityRef);
    const referral = await referralOrNull(referrals, referralId, refs[0]!);
    if (!referral) {
      for (const record of refs) {
        conflicts.push({
          record, referralId,
          problem: "its referral no longer exists in Partner Center",
          todo: "not adopted; after the switch, clear Microsoft's referral id on it and, if the deal is still alive, share it again with \"Sync with Partner Center\"",
        });
      }
      continue;
    }
    const named = referral.externalReferenceId ? (normalizeGuid(referral.externalReferenceId) ?? referral.externalReferenceId.trim().toLowerCase()) : null;
    const holder = refs.find((r) => r.id.toLowerCase() === named);
    for (const record of refs) {
      if (record === holder) continue;
      conflicts.push({
        record, referralId: referral.id,
        problem: holder
          ? `the referral is linked to two records: Partner Center names opportunity ${holder.id} ("${holder.name}"), this one carries a copy of the link`
          : `Partner Center's referral names ${named ? `record ${named}` : "no record"} as its CRM ID, not this one`,
        todo: holder
          ? "not adopted; clear Microsoft's referral id on this copy (the original is adopted)"
          : "not adopted; check which record holds the deal and put its id in the referral's CRM ID in Partner Center, then run this again",
      });
    }
    if (!holder) continue;
    const row = rows[refs.indexOf(holder)]!;
    const opportunity = await crm.getOpportunity(holder.id);
    if (!opportunity) continue;
    const linked = (await store.findLinkByReferralId(referral.id)) ?? (await store.findLinkByOpportunityId(holder.id));
    if (linked && (linked.opportunityId?.toLowerCase() !== holder.id.toLowerCase() || linked.referralId?.toLowerCase() !== referral.id.toLowerCase())) {
      conflicts.push({
        record: holder, referralId: referral.id,
        problem: `our connector already links ${linked.referralId === null ? "this opportunity to nothing yet" : `referral ${linked.referralId}`} with opportunity ${linked.opportunityId ?? "(none)"}`,
        todo: "not adopted; stop syncing the other pair (or remove the duplicate record) and run this again",
      });
      continue;
    }
    const base = linked ? await store.getBase(linked.key) : null;
    if (linked && base && opportunity.record[C.referralIdentifier] === referral.id) {
      alreadyAdopted.push(holder);
      continue;
    }
    const solutionIds = microsoftSolutionIds(connector, solutions, holder.id, row);
    const adoption = planAdoption({
      record: opportunity.record, microsoft: row, connector, solutionIds, referral, referralLink: deps.referralLink(referral.id), ctx, at: deps.at,
    });
    const microsoftInvited = await microsoftSideExists(referrals, referral);
    const invitesMicrosoft = !microsoftInvited && referral.direction !== "Incoming" && microsoftInvitationFor(referral) !== null;
    adopt.push({ record: holder, referral, opportunity, adoption, solutionIds, microsoftInvited, invitesMicrosoft });
  }

  return {
    connector, adopt, alreadyAdopted, conflicts,
    leads: await planLeads(connector, deps, conflicts),
    registration: registrationOwner(deps.registration, deps.ourWebhookUrl, connector.flows),
  };
}

/** Microsoft's side of a co-sell engagement (its related referral), so the first sync invites no one twice. */
async function microsoftSideExists(referrals: ReferralsClient, referral: Referral): Promise<boolean> {
  if (!referral.engagementId || referral.type !== "Shared") return false;
  for await (const candidate of referrals.list({ filter: `engagementId eq ${odataString(referral.engagementId)}` })) {
    if (candidate.organizationId === MICROSOFT_ORGANIZATION_ID) return true;
  }
  return false;
}

async function planLeads(connector: MicrosoftConnector, deps: PlanDependencies, conflicts: Conflict[]): Promise<PlannedLead[]> {
  const columns = connector.leadColumns;
  if (!columns) return [];
  const rows = await readAll(deps.dataverse, `leads?$select=leadid,fullname,subject,statecode,${columns.referralId}&$filter=${columns.referralId} ne null and statecode eq ${OPEN_LEAD}`);
  const leads: PlannedLead[] = [];
  for (const row of rows) {
    const record: RecordRef = { table: "lead", id: String(row["leadid"]), name: str(row["subject"]) ?? nameOf(row, "fullname") };
    const referralId = normalizeGuid(row[columns.referralId]);
    if (!referralId) {
      conflicts.push(notAReferralId(record, row[columns.referralId]));
      continue;
    }
    const referral = await referralOrNull(deps.referrals, referralId, record);
    if (!referral) {
      conflicts.push({ record, referralId, problem: "its referral no longer exists in Partner Center", todo: "not adopted; clear Microsoft's referral id on the lead" });
      continue;
    }
    const linked = await deps.store.findLinkByReferralId(referral.id);
    const opportunity = linked?.opportunityId ? await deps.crm.getOpportunity(linked.opportunityId) : null;
    if (opportunity && opportunity.record[C.referralIdentifier] === referral.id) {
      // Already brought in (a --qualify-leads run stopped before closing the lead, or a sync did it):
      // what is left is closing the lead as qualified.
      leads.push({
        record, referral, opportunityId: opportunity.id,
        todo: `our connector already brought this referral in as opportunity ${opportunity.id}: run with --qualify-leads to close this lead as qualified into it, so the deal is not left as two records`,
      });
      continue;
    }
    if (linked?.opportunityId) {
      conflicts.push({
        record, referralId: referral.id,
        problem: `our connector already brought this referral in as opportunity ${linked.opportunityId}`,
        todo: "disqualify or close the lead (the opportunity is the one that syncs)",
      });
      continue;
    }
    const unaccepted = referral.status === "New";
    leads.push({
      record, referral,
      // Our connector brings every referral in as an opportunity (the reconcile pass would too): left
      // alone, the lead would stay next to that opportunity as a second record of the deal.
      todo: `the referral is ${unaccepted ? "not accepted yet" : `${referral.status}${referral.substatus ? `/${referral.substatus}` : ""} but the record is still a lead`}. `
        + "After the switch our connector brings it in as an opportunity (accept or decline it from the form): run with --qualify-leads to do that now and close this lead as qualified, so the deal is not left as two records",
    });
  }
  return leads;
}
