/**
 * The unbound WinOpportunity and LoseOpportunity actions: the only way to close an opportunity.
 * Body: { Status, OpportunityClose: { "opportunityid@odata.bind": "/opportunities(id)", actualrevenue?,
 * actualend?, subject?, description? } }. Sets statecode Won / Lost, the given status reason, the
 * actual value and close date, as the platform does. (The opportunityclose activity row itself is
 * not kept by the sandbox.)
 */
import { OpportunityCloseColumns, OpportunityState, Tables } from "../../entities";
import { ErrorCode, notFound, ODataError } from "./odata-error";
import { normalizeDate, requireObjectBody } from "./payload-reader";
import type { RecordOperations } from "./record-operations";
import type { SandboxContext } from "./sandbox-context";

const BIND = /opportunities\(\{?([0-9a-fA-F-]{36})\}?\)$/;

const invalid = (message: string) => new ODataError(400, ErrorCode.InvalidArgument, message);

export function closeOpportunity(context: SandboxContext, operations: RecordOperations, outcome: "Won" | "Lost", body: unknown): void {
  const payload = requireObjectBody(body);
  const table = context.schema.table(Tables.opportunity.logicalName);
  if (!table) throw new Error("opportunity table missing from the sandbox schema");
  const close = payload["OpportunityClose"];
  if (typeof close !== "object" || close === null) throw invalid("OpportunityClose is required.");
  const closeValues = close as Record<string, unknown>;
  const bind = closeValues[`${OpportunityCloseColumns.opportunity}@odata.bind`];
  const id = typeof bind === "string" ? BIND.exec(bind)?.[1]?.toLowerCase() : undefined;
  if (!id) throw invalid(`OpportunityClose must reference the opportunity with ${table.primaryId}@odata.bind.`);
  const current = context.store.get(table.logicalName, id);
  if (!current) throw notFound(table.logicalName, id);
  if (current.values["statecode"] !== OpportunityState.Open) throw invalid(`The opportunity with Id = ${id} is already closed.`);

  const state = outcome === "Won" ? OpportunityState.Won : OpportunityState.Lost;
  const statusOptions = table.attributes.get("statuscode")?.options?.filter((option) => option.state === state) ?? [];
  const requested = payload["Status"];
  const status = requested === undefined || requested === -1 ? statusOptions[0]?.value : requested;
  if (typeof status !== "number" || !statusOptions.some((option) => option.value === status)) {
    throw invalid(`${String(status)} is not a valid status code for state code ${outcome} on opportunity with Id ${id}.`);
  }
  const revenue = closeValues[OpportunityCloseColumns.actualRevenue];
  const endValue = closeValues[OpportunityCloseColumns.actualEnd];
  const end = typeof endValue === "string" ? normalizeDate(endValue, true) : undefined;
  const opportunityClose = {
    ...Object.fromEntries(Object.entries(closeValues).filter(([name]) => !name.includes("@"))),
    [OpportunityCloseColumns.opportunity]: { id, logicalName: table.logicalName },
  };
  operations.asCloseAction(outcome === "Won" ? "Win" : "Lose", { opportunityClose, status }, () =>
    operations.update(table, current, {
      statecode: state,
      statuscode: status,
      actualvalue: typeof revenue === "number" ? revenue : (current.values["estimatedvalue"] ?? null),
      actualclosedate: end ?? context.clock.today(),
    }),
  );
}
