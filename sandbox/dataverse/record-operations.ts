/**
 * Create / update / upsert / delete of rows with the platform's own behaviour around them: system
 * columns (owner, created/modified on and by, versionnumber), defaults, computed full names, the org's
 * base currency, the statecode rules of opportunity (closing it needs WinOpportunity / LoseOpportunity),
 * optimistic concurrency with etags, and a notification per write for the webhook dispatcher.
 */
import { OpportunityState, RegistrationTables, StepColumns, StepMode, StepStage, Tables } from "../../entities";
import type { LookupValue, StoredRecord } from "./entity-store";
import { ErrorCode, notFound, ODataError } from "./odata-error";
import { etagOf, type SandboxContext } from "./sandbox-context";
import type { TableMeta } from "./schema-types";

/** Win / Lose: an opportunity closed by WinOpportunity / LoseOpportunity (their own SDK messages, not Update). */
export type WriteMessage = "Create" | "Update" | "Win" | "Lose";

export interface WriteEvent {
  message: WriteMessage;
  table: TableMeta;
  record: StoredRecord;
  /** Columns the request set (what filtering attributes are matched against). */
  requestedColumns: string[];
  /** The Target entity as the pipeline sees it: requested columns plus platform-set ones. */
  target: Record<string, unknown>;
  /** The row before an update (for pre-images). */
  previous?: StoredRecord;
  /** Win / Lose: the request's input parameters (OpportunityClose, Status) instead of a Target. */
  closeParameters?: { opportunityClose: Record<string, unknown>; status: number };
}

/** The time zone rule version Dataverse stamps on rows it writes (seen as 4 in published payloads). */
const TIME_ZONE_RULE_VERSION = 4;

export type WriteListener = (event: WriteEvent) => void;

export class RecordOperations {
  private listeners: WriteListener[] = [];
  /** Lets WinOpportunity / LoseOpportunity (and only them) change an opportunity's state. */
  private closingAllowed = false;
  /** Inside a $batch change set: the writes' events, held until the change set commits. */
  private heldEvents: WriteEvent[] | null = null;
  /** While a Win/Lose action runs: the message its update is published as. */
  private closing: { message: "Win" | "Lose"; closeParameters: NonNullable<WriteEvent["closeParameters"]> } | null = null;

  constructor(private readonly context: SandboxContext, readonly baseCurrencyId: () => string) {}

  onWrite(listener: WriteListener): void {
    this.listeners.push(listener);
  }

  private caller(): LookupValue {
    return { id: this.context.callerId, logicalName: Tables.systemUser.logicalName };
  }

  /** Checks If-Match / If-None-Match against the current row (undefined when it does not exist). */
  checkPreconditions(table: TableMeta, id: string, current: StoredRecord | undefined, ifMatch?: string, ifNoneMatch?: string): void {
    if (ifMatch !== undefined) {
      if (!current) throw notFound(table.logicalName, id);
      if (ifMatch !== "*" && ifMatch !== etagOf(current.version)) {
        throw new ODataError(412, ErrorCode.ConcurrencyVersionMismatch, "The version of the existing record doesn't match the RowVersion property provided.");
      }
    }
    if (ifNoneMatch === "*" && current) {
      throw new ODataError(412, ErrorCode.DuplicateRecord, "A record with matching key values already exists.");
    }
  }

  create(table: TableMeta, values: Record<string, unknown>, requestedId?: string): StoredRecord {
    this.guardStep(table, undefined, values);
    const id = (requestedId ?? (values[table.primaryId] as string | undefined) ?? this.context.ids.mint()).toLowerCase();
    if (this.context.store.get(table.logicalName, id)) {
      throw new ODataError(412, ErrorCode.DuplicateRecord, "A record with matching key values already exists.");
    }
    this.guardState(table, undefined, values);
    const row: Record<string, unknown> = {};
    for (const attribute of table.attributes.values()) {
      if (attribute.defaultValue !== undefined) row[attribute.logicalName] = attribute.defaultValue;
    }
    Object.assign(row, values, { [table.primaryId]: id });
    const now = this.context.clock.nowIso();
    const platform: Record<string, unknown> = {
      createdon: now, modifiedon: now, createdby: this.caller(), modifiedby: this.caller(), modifiedonbehalfby: null, timezoneruleversionnumber: TIME_ZONE_RULE_VERSION,
    };
    if (table.attributes.has("ownerid") && !row["ownerid"]) platform["ownerid"] = this.caller();
    if (table.attributes.has("transactioncurrencyid") && !row["transactioncurrencyid"]) {
      platform["transactioncurrencyid"] = { id: this.baseCurrencyId(), logicalName: Tables.transactionCurrency.logicalName };
    }
    for (const [name, value] of Object.entries(platform)) if (table.attributes.has(name)) row[name] = value;
    this.derive(table, row);
    const record = this.context.store.put(table.logicalName, id, row);
    this.emit({ message: "Create", table, record, requestedColumns: Object.keys(values), target: { ...record.values } });
    return record;
  }

  update(table: TableMeta, current: StoredRecord, values: Record<string, unknown>): StoredRecord {
    this.guardState(table, current, values);
    this.guardStep(table, current, values);
    const row: Record<string, unknown> = { ...current.values, ...values };
    // The platform columns every update sets: the Target a webhook carries holds them too.
    const platform = { modifiedon: this.context.clock.nowIso(), modifiedby: this.caller(), modifiedonbehalfby: null, timezoneruleversionnumber: TIME_ZONE_RULE_VERSION };
    for (const [name, value] of Object.entries(platform)) if (table.attributes.has(name)) row[name] = value;
    this.derive(table, row);
    const record = this.context.store.put(table.logicalName, current.id, row);
    const target: Record<string, unknown> = { ...values, [table.primaryId]: current.id };
    for (const name of Object.keys(platform)) if (table.attributes.has(name)) target[name] = record.values[name];
    const close = this.closing ?? undefined;
    this.emit({ message: close?.message ?? "Update", table, record, requestedColumns: Object.keys(values), target, previous: current, closeParameters: close?.closeParameters });
    return record;
  }

  delete(table: TableMeta, id: string): void {
    if (!this.context.store.remove(table.logicalName, id)) throw notFound(table.logicalName, id);
  }

  /**
   * Runs `work` with opportunity closing allowed (the Win/Lose actions). Its writes run the steps of
   * the Win or Lose message, not Update's: whether a real org also runs Update steps for a close is
   * not documented, so the stand-in takes the answer that gives a client less.
   */
  asCloseAction<T>(message: "Win" | "Lose", closeParameters: NonNullable<WriteEvent["closeParameters"]>, work: () => T): T {
    this.closingAllowed = true;
    this.closing = { message, closeParameters };
    try {
      return work();
    } finally {
      this.closingAllowed = false;
      this.closing = null;
    }
  }

  /** Values computed by the platform from other columns. */
  private derive(table: TableMeta, row: Record<string, unknown>): void {
    if (table.attributes.get("fullname")?.readOnly && ("firstname" in row || "lastname" in row)) {
      row["fullname"] = [row["firstname"], row["lastname"]].filter((part) => typeof part === "string" && part).join(" ");
    }
    const currency = row["transactioncurrencyid"] as LookupValue | null | undefined;
    if (table.attributes.get("exchangerate")?.readOnly && currency) {
      row["exchangerate"] = this.context.store.get(currency.logicalName, currency.id)?.values["exchangerate"] ?? 1;
    }
  }

  /**
   * State changes: a status must belong to its state, and an opportunity is closed only through
   * WinOpportunity / LoseOpportunity; Dataverse refuses a statecode PATCH that closes one.
   */
  private guardState(table: TableMeta, current: StoredRecord | undefined, values: Record<string, unknown>): void {
    const stateAttribute = table.attributes.get("statecode");
    const statusAttribute = table.attributes.get("statuscode");
    if (!stateAttribute || !statusAttribute) return;
    const stateChanged = "statecode" in values && values["statecode"] !== (current?.values["statecode"] ?? stateAttribute.defaultValue);
    const state = (values["statecode"] ?? current?.values["statecode"] ?? stateAttribute.defaultValue) as number;
    if (table.logicalName === Tables.opportunity.logicalName && !this.closingAllowed && state !== OpportunityState.Open && (stateChanged || !current)) {
      const [label, request] = state === OpportunityState.Won ? ["Won", "WinOpportunityRequest"] : ["Lost", "LoseOpportunityRequest"];
      throw new ODataError(
        400,
        ErrorCode.InvalidArgument,
        `This message can not be used to set the state of opportunity to ${label}. In order to set state of opportunity to ${label} use the ${request} message instead.`,
      );
    }
    if (stateChanged && !("statuscode" in values)) {
      // Like SetState without a status: the default status of the new state.
      values["statuscode"] = statusAttribute.options?.find((option) => option.state === state)?.value ?? null;
      return;
    }
    const status = values["statuscode"];
    if (typeof status === "number") {
      const option = statusAttribute.options?.find((candidate) => candidate.value === status);
      if (option?.state !== undefined && option.state !== state) {
        throw new ODataError(400, ErrorCode.InvalidArgument, `${status} is not a valid status code for state code ${state} on ${table.logicalName}.`);
      }
    }
  }

  /** The platform only runs asynchronous steps in the post-operation stage. */
  private guardStep(table: TableMeta, current: StoredRecord | undefined, values: Record<string, unknown>): void {
    if (table.logicalName !== RegistrationTables.step.logicalName) return;
    const mode = values[StepColumns.mode] ?? current?.values[StepColumns.mode];
    const stage = values[StepColumns.stage] ?? current?.values[StepColumns.stage];
    if (mode === StepMode.Asynchronous && stage !== StepStage.PostOperation) {
      throw new ODataError(400, ErrorCode.InvalidArgument, "Asynchronous steps are supported only in the PostOperation stage (40).");
    }
  }

  /**
   * Runs a change set's writes as one transaction for the listeners: asynchronous steps are queued
   * inside the transaction, so their webhooks go out only if it commits (`work` returns true) and
   * never for a change set that was rolled back.
   */
  async inTransaction(work: () => Promise<boolean>): Promise<boolean> {
    this.heldEvents = [];
    let committed = false;
    try {
      committed = await work();
    } finally {
      const held = this.heldEvents;
      this.heldEvents = null;
      if (committed) for (const event of held) this.emit(event);
    }
    return committed;
  }

  private emit(event: WriteEvent): void {
    if (this.heldEvents) {
      this.heldEvents.push(event);
      return;
    }
    for (const listener of this.listeners) listener(event);
  }
}
