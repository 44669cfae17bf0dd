/**
 * Story: close the opportunity as Partner Center closed the referral (Win/LoseOpportunity), after the
 * merge's base is committed. A failed close needs no base of its own: every merge asks for it again
 * while the opportunity's state differs from a closed status.
 */
import { OpportunityStandardColumns as S } from "../../entities";
import { DataverseError } from "../dataverse/dataverse-error";
import type { MappedFields, OpportunityClose } from "../engine";
import type { CrmRow } from "./crm-gateway";
import { noteOwnCrmWrites } from "./recovery-rules";
import { OpportunityChangedError } from "./sync-errors";
import type { StoryContext } from "./story-context";

export interface CloseRequest {
  readonly close: OpportunityClose;
  /** The close reason Partner Center gave (the description of the close). */
  readonly reason: string | null;
  /** The merged status the close puts on the record, marked as our own write. */
  readonly status: MappedFields["status"];
}

/** Win/LoseOpportunity on a record we read; "already closed" means someone closed it meanwhile: a race, merged again. */
export async function closeOpportunity(ctx: StoryContext, key: string, opportunity: CrmRow, request: CloseRequest): Promise<void> {
  const { crm, store } = ctx.deps;
  try {
    await crm.closeOpportunity(opportunity.id, request.close.outcome, request.close.statusCode, request.reason);
  } catch (error) {
    if (!(error instanceof DataverseError) || error.status !== 400) throw error;
    const now = await crm.getOpportunity(opportunity.id);
    if (now && now.record[S.stateCode] !== opportunity.record[S.stateCode]) throw new OpportunityChangedError(opportunity.id, error);
    throw error;
  }
  await noteOwnCrmWrites(store, key, { status: request.status });
}

/** The close of an opportunity our import just created: nobody else can have closed it. */
export async function closeImportedOpportunity(ctx: StoryContext, key: string, opportunityId: string, request: CloseRequest): Promise<void> {
  await ctx.deps.crm.closeOpportunity(opportunityId, request.close.outcome, request.close.statusCode, request.reason);
  await noteOwnCrmWrites(ctx.deps.store, key, { status: request.status });
}
