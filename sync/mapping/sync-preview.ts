/**
 * "Test a mapping on an opportunity": reads the opportunity (and its account, contacts, linked
 * referral and stored base) and runs the engine's pure steps under a mapping, exactly as a sync job
 * would, but sends nothing and writes nothing: it only reads.
 */
import { OpportunityColumns, OpportunityStandardColumns as S, Tables } from "../../entities";
import { odataString } from "../dataverse/odata-rows";
import {
  accountToFields,
  coSellDetailsFromRecord,
  contactsToTeam,
  customerProfileFromAccount,
  MAPPED_FIELD_NAMES,
  mergeLink,
  opportunityToMappedFields,
  opportunityUpdateFromMerge,
  preflightReferralCreate,
  referralCreateFromOpportunity,
  referralPatchOperations,
  referralToMappedFields,
  type MappedFields,
  type SyncMapping,
} from "../engine";
import type { ReferralsClient } from "../partner-center/referrals-client";
import type { SyncStore } from "../store";
import { opportunityAccountId, type CrmGateway, type CrmRow } from "../worker/crm-gateway";
import type { SyncPreview } from "./preview-text";

export interface PreviewDependencies {
  crm: Pick<CrmGateway, "getOpportunity" | "getAccount" | "getContact" | "contactsOfAccount" | "currencyList" | "client">;
  referrals: Pick<ReferralsClient, "get">;
  store: Pick<SyncStore, "findLinkByOpportunityId" | "getBase">;
  /** The base as the job's merge sees it (re-pointed fields take the new column's value), when the service corrects it. */
  rebase?: (base: MappedFields, savedAt: number, crm: MappedFields) => MappedFields;
  now?: () => Date;
}

/** The admin typed something that names no single opportunity: the message says what to type. */
export class PreviewTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PreviewTargetError";
  }
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value : null);

/** The opportunity an admin named by id or by its exact name. */
async function findOpportunity(crm: PreviewDependencies["crm"], reference: string): Promise<CrmRow> {
  const id = GUID.exec(reference.trim())?.[1];
  if (id) {
    const row = await crm.getOpportunity(id.toLowerCase());
    if (!row) throw new PreviewTargetError(`No opportunity has the id ${id}; type its name or paste the id from its address.`);
    return row;
  }
  const rows = await crm.client.query<Record<string, unknown>>(Tables.opportunity, [S.name], { filter: `${S.name} eq ${odataString(reference.trim())}`, top: 2 });
  if (rows.length === 0) throw new PreviewTargetError(`No opportunity is named "${reference.trim()}"; type its exact name or paste its id.`);
  if (rows.length > 1) throw new PreviewTargetError(`More than one opportunity is named "${reference.trim()}"; paste the id of the one to test (from its address).`);
  const row = await crm.getOpportunity(rows[0]!.id);
  if (!row) throw new PreviewTargetError(`The opportunity "${reference.trim()}" could not be read; try again.`);
  return row;
}

export async function previewSync(deps: PreviewDependencies, reference: string, mapping: SyncMapping): Promise<SyncPreview> {
  const { crm, referrals, store } = deps;
  const opportunity = await findOpportunity(crm, reference);
  const record = opportunity.record;
  const ctx = { mapping, currencies: await crm.currencyList() };
  const values = opportunityToMappedFields(record, ctx);
  const fields = MAPPED_FIELD_NAMES.map((field) => ({ field, column: mapping.opportunity[field], direction: mapping.directions?.[field] ?? ("both" as const) }));
  const head = {
    opportunity: { id: opportunity.id, name: text(record[S.name]) },
    at: (deps.now?.() ?? new Date()).toISOString(),
    syncOn: record[OpportunityColumns.syncWithPartnerCenter] === true,
    fields,
    values,
  };

  const link = await store.findLinkByOpportunityId(opportunity.id);
  const referralId = link?.referralId ?? text(record[OpportunityColumns.referralIdentifier]);
  if (referralId) {
    const referral = await referrals.get(referralId);
    const base = link ? await store.getBase(link.key) : null;
    const merge = mergeLink({
      base: base && deps.rebase ? deps.rebase(base.fields, base.savedAt, values) : (base?.fields ?? null),
      crm: values,
      partnerCenter: referralToMappedFields(referral),
      crmModifiedAt: text(record[S.modifiedOn]),
      partnerCenterModifiedAt: referral.updatedDateTime ?? null,
      at: head.at,
      policy: mapping.conflictPolicy,
      partnerCenterHasCustomerContact: (referral.customerProfile?.team?.length ?? 0) > 0,
      directions: mapping.directions,
    });
    const crmWrite = Object.keys(merge.crmPatch).length > 0 ? opportunityUpdateFromMerge(merge.crmPatch, merge.base, record, ctx).body : {};
    return {
      ...head,
      action: {
        kind: "update",
        referralId,
        operations: Object.keys(merge.partnerCenterPatch).length > 0 ? referralPatchOperations(merge.partnerCenterPatch, referral) : [],
        crmWrite,
        notes: [...merge.audit.map((entry) => entry.detail), ...merge.refusals.map((r) => `${r.field} would not be sent: ${r.reason}`)],
      },
    };
  }

  const accountId = opportunityAccountId(record);
  const account = accountId ? await crm.getAccount(accountId) : null;
  const pickedId = text(record[`_${S.parentContact}_value`]);
  const picked = pickedId ? await crm.getContact(pickedId) : null;
  const accountContacts = accountId ? await crm.contactsOfAccount(accountId) : [];
  const contacts = [...(picked ? [picked] : []), ...accountContacts.filter((c) => c.id !== picked?.id)];
  const customerProfile = customerProfileFromAccount(accountToFields(account?.record ?? {}, mapping.account), contactsToTeam(contacts.map((c) => c.record), mapping.contact));
  const body = referralCreateFromOpportunity({ opportunityId: opportunity.id, fields: values, customerProfile, coSell: coSellDetailsFromRecord(record) });
  const problems = preflightReferralCreate(body).map((problem) => problem.message[1033]);
  return { ...head, action: { kind: "create", body, problems } };
}
