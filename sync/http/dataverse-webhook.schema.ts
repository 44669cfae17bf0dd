/**
 * The part of Dataverse's RemoteExecutionContext the backend relies on. Triggers are hints, never
 * the data: the job re-reads the record, so only the identity of the change matters here.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { DATAVERSE_ID_PATTERN } from "../../entities";

const EMPTY_ID = "00000000-0000-0000-0000-000000000000";

/** A Win / Lose (close dialog) context names its opportunity in OpportunityClose.opportunityid. */
const OpportunityCloseSchema = z.object({
  InputParameters: z.array(z.object({
    key: z.string(),
    value: z.unknown(),
  })),
});
const ClosedOpportunitySchema = z.object({
  Attributes: z.array(z.object({ key: z.string(), value: z.unknown() })),
});
const ReferenceSchema = z.object({ Id: z.string().regex(DATAVERSE_ID_PATTERN) });

function closedOpportunityId(context: unknown): string | undefined {
  const parameters = OpportunityCloseSchema.safeParse(context);
  if (!parameters.success) return undefined;
  const close = ClosedOpportunitySchema.safeParse(parameters.data.InputParameters.find((p) => p.key === "OpportunityClose")?.value);
  if (!close.success) return undefined;
  const reference = ReferenceSchema.safeParse(close.data.Attributes.find((a) => a.key === "opportunityid")?.value);
  return reference.success ? reference.data.Id : undefined;
}

export const RemoteExecutionContextSchema = z
  .object({
    MessageName: z.string().min(1),
    PrimaryEntityName: z.string().min(1),
    // Any 8-4-4-4-12 hex id: Dataverse's sequential GUIDs fail an RFC uuid check.
    PrimaryEntityId: z.string().regex(DATAVERSE_ID_PATTERN, "expected a Dataverse record id (8-4-4-4-12 hexadecimal digits)"),
    CorrelationId: z.string().optional(),
    RequestId: z.string().nullish(),
    OperationId: z.string().nullish(),
    OperationCreatedOn: z.string().optional(),
    InitiatingUserId: z.string().optional(),
    Depth: z.number().optional(),
  })
  .passthrough()
  // Win / Lose may leave PrimaryEntityId empty: the opportunity is the one OpportunityClose names.
  .transform((context, check) => {
    if (context.PrimaryEntityId !== EMPTY_ID) return context;
    const id = closedOpportunityId(context);
    if (!id) {
      check.addIssue({ code: "custom", path: ["PrimaryEntityId"], message: "is empty and no OpportunityClose names the opportunity" });
      return z.NEVER;
    }
    return { ...context, PrimaryEntityId: id };
  });
export type RemoteExecutionContext = z.infer<typeof RemoteExecutionContextSchema>;

/** An id that identifies something: not missing, not empty, not the all-zero GUID. */
function meaningfulId(id: string | null | undefined): string | undefined {
  return id && !/^[0-]*$/.test(id) ? id : undefined;
}

/**
 * The key that identifies one delivery, so a retried delivery is recognised as a duplicate. Ids are
 * compared case-blind (Dataverse prints GUIDs in either case); a context that carries none of the
 * operation's ids is keyed by its body, so two different changes never collapse into one key.
 */
export function dataverseDeliveryKey(context: RemoteExecutionContext, rawBody: string): string {
  const operation =
    meaningfulId(context.OperationId) ??
    meaningfulId(context.RequestId) ??
    (context.CorrelationId || context.OperationCreatedOn ? `${context.CorrelationId ?? ""}:${context.OperationCreatedOn ?? ""}` : `body-sha256:${createHash("sha256").update(rawBody).digest("hex")}`);
  return `dataverse:${context.MessageName}:${context.PrimaryEntityId}:${operation}`.toLowerCase();
}

/** Which columns one Dataverse write set, and when (RemoteExecutionContext.OperationCreatedOn). */
export interface ColumnChange {
  /** Logical names, lower case, as in the write's Target. */
  readonly columns: readonly string[];
  /** Milliseconds since the epoch: the operation's own time, finer than the record's modifiedon. */
  readonly at: number;
}

const TargetSchema = z.object({
  InputParameters: z.array(z.object({ key: z.string(), value: z.unknown() })).optional(),
});
const EntitySchema = z.object({ Attributes: z.array(z.object({ key: z.string() })) });

/** "/Date(1764064557919)/" (the data-contract form webhooks use) or an ISO string; null if neither. */
export function parseOperationTime(value: string | undefined): number | null {
  if (!value) return null;
  const contract = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value);
  const at = contract ? Number(contract[1]) : Date.parse(value);
  return Number.isFinite(at) ? at : null;
}

/**
 * The columns a Create or Update wrote (its Target's attributes) and when. A hint like the trigger
 * itself: it only sharpens when each field changed (sync/engine/field-clock.ts); null when the
 * context does not say.
 */
export function columnChangeOf(context: RemoteExecutionContext): ColumnChange | null {
  const at = parseOperationTime(context.OperationCreatedOn);
  const parameters = TargetSchema.safeParse(context);
  const target = parameters.success ? parameters.data.InputParameters?.find((p) => p.key === "Target")?.value : undefined;
  const entity = EntitySchema.safeParse(target);
  if (at === null || !entity.success || entity.data.Attributes.length === 0) return null;
  return { columns: entity.data.Attributes.map((a) => a.key.toLowerCase()), at };
}

