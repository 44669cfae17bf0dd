/**
 * The part of Dataverse's RemoteExecutionContext the backend relies on. Triggers are hints, never
 * the data: the job re-reads the record, so only the identity of the change matters here.
 */
import { z } from "zod";

export const RemoteExecutionContextSchema = z
  .object({
    MessageName: z.string().min(1),
    PrimaryEntityName: z.string().min(1),
    PrimaryEntityId: z.string().uuid(),
    CorrelationId: z.string().optional(),
    RequestId: z.string().nullish(),
    OperationId: z.string().nullish(),
    OperationCreatedOn: z.string().optional(),
    InitiatingUserId: z.string().optional(),
    Depth: z.number().optional(),
  })
  .passthrough();
export type RemoteExecutionContext = z.infer<typeof RemoteExecutionContextSchema>;

/** The key that identifies one delivery, so a retried delivery is recognised as a duplicate. */
export function dataverseDeliveryKey(context: RemoteExecutionContext): string {
  const id = context.OperationId ?? context.RequestId ?? `${context.CorrelationId ?? ""}:${context.OperationCreatedOn ?? ""}`;
  return `dataverse:${context.MessageName}:${context.PrimaryEntityId}:${id}`;
}
