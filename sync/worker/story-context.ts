/**
 * What every story of a sync job shares: the handler's dependencies, its clock, and the small reads
 * each story starts from. Stories import this; nothing here writes.
 */
import type { PairLocks } from "../cluster/pair-locks";
import type { Logger } from "pino";
import { OpportunityColumns as C } from "../../entities";
import {
  DEFAULT_MAPPING,
  fieldWriteTimes,
  type AuditEntry,
  type ConflictPolicySetting,
  type MappedFieldName,
  type MappedFields,
  type OpportunityMappingContext,
  type SyncMapping,
} from "../engine";
import type { ReferralsClient } from "../partner-center/referrals-client";
import type { Referral } from "../partner-center/referral-types";
import type { SyncStore } from "../store";
import type { CrmGateway, CrmRow } from "./crm-gateway";

export interface LinkSyncDependencies {
  store: SyncStore;
  crm: CrmGateway;
  referrals: ReferralsClient;
  /** The "Open in Partner Center" link of a referral. */
  referralLink: (referralId: string) => string;
  logger: Logger;
  mapping?: SyncMapping;
  /** The mapping in force now (the mapping rows over `mapping`), asked at each job. */
  currentMapping?: () => SyncMapping | undefined;
  /** The stored base as the merge should see it, given the opportunity's side (re-pointed fields take the new column's value). */
  rebase?: (base: MappedFields, savedAt: number, crm: MappedFields) => MappedFields;
  policy?: ConflictPolicySetting;
  /** The policy in force now (the co-sell settings row over `policy`), asked at each merge. */
  currentPolicy?: () => ConflictPolicySetting | undefined;
  /** Told of each referral imported as a new opportunity (the Teams notification listens). */
  onReferralImported?: (referral: Referral, opportunityId: string) => void;
  clock?: () => Date;
  /** Pair and customer locks shared with the other instances (sync/cluster); default: this process only. */
  pairLocks?: PairLocks;
  customerLocks?: PairLocks;
}

/** The handler's view handed to each story. */
export interface StoryContext {
  readonly deps: LinkSyncDependencies;
  now(): Date;
}

export function storyContext(deps: LinkSyncDependencies): StoryContext {
  return { deps, now: () => deps.clock?.() ?? new Date() };
}

export const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value : null);

export function syncIsOn(opportunity: CrmRow): boolean {
  return opportunity.record[C.syncWithPartnerCenter] === true;
}

/** The mapping in force: the mapping rows' when the service watches them, else the one it started with. */
export function mappingInForce(deps: Pick<LinkSyncDependencies, "mapping" | "currentMapping">): SyncMapping | undefined {
  return deps.currentMapping?.() ?? deps.mapping;
}

export async function mappingContext(ctx: StoryContext): Promise<OpportunityMappingContext> {
  return { mapping: mappingInForce(ctx.deps), currencies: await ctx.deps.crm.currencyList() };
}

export function auditEntry(ctx: StoryContext, direction: AuditEntry["direction"], action: AuditEntry["action"], detail: string): AuditEntry {
  return { at: ctx.now().toISOString(), direction, action, detail };
}

/** The conflict policy in force for this merge: the settings row's, else the configured one. */
export function policyInForce(deps: LinkSyncDependencies): ConflictPolicySetting | undefined {
  return deps.currentPolicy ? deps.currentPolicy() : deps.policy;
}

/** The opportunity's column write times (from its webhooks) per mapped field. */
export function writeTimesOfFields(ctx: StoryContext, columnTimes: Readonly<Record<string, number>>): Partial<Record<MappedFieldName, number>> {
  return fieldWriteTimes(columnTimes, (mappingInForce(ctx.deps) ?? DEFAULT_MAPPING).opportunity);
}
