/**
 * The RemoteExecutionContext JSON Dataverse posts to a webhook: the plug-in execution context
 * serialized by .NET's DataContractJsonSerializer (key/value lists, "__type" hints on entities,
 * entity references, option set values and money, dates as "/Date(ms)/").
 * As in the payloads Microsoft published (use-webhooks.md 2017, Contact Center 2024): whole-second
 * times, OperationCreatedOn as "/Date(ms+0000)/", RequestId null or set, platform columns in the
 * Target, and a ParentContext (the synchronous main operation the async step ran after).
 */
import { randomUUID } from "node:crypto";
import { RegistrationTables } from "../../entities";
import { isLookupValue, type StoredRecord } from "./entity-store";
import type { WriteEvent } from "./record-operations";
import type { SandboxContext } from "./sandbox-context";
import type { TableMeta } from "./schema-types";

const CONTRACTS = "http://schemas.microsoft.com/xrm/2011/Contracts";
const EMPTY_GUID = "00000000-0000-0000-0000-000000000000";

type KeyValue = { key: string; value: unknown };

export const dataContractDate = (iso: string) => `/Date(${Date.parse(iso)})/`;

function sdkValue(table: TableMeta, name: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (isLookupValue(value)) {
    return { __type: `EntityReference:${CONTRACTS}`, Id: value.id, KeyAttributes: [], LogicalName: value.logicalName, Name: null, RowVersion: null };
  }
  switch (table.attributes.get(name)?.type) {
    case "Picklist":
    case "State":
    case "Status":
      return { __type: `OptionSetValue:${CONTRACTS}`, Value: value };
    case "Money":
      return { __type: `Money:${CONTRACTS}`, Value: value };
    case "DateTime":
      return typeof value === "string" ? dataContractDate(value) : value;
    default:
      return value;
  }
}

export function sdkEntity(table: TableMeta, id: string, values: Record<string, unknown>, version?: number, typed = false): Record<string, unknown> {
  const attributes: KeyValue[] = Object.entries(values)
    .filter(([name]) => table.attributes.get(name)?.validForRead !== false)
    .map(([key, value]) => ({ key, value: sdkValue(table, key, value) }));
  return {
    ...(typed ? { __type: `Entity:${CONTRACTS}` } : {}),
    Attributes: attributes,
    EntityState: null,
    FormattedValues: [],
    Id: id,
    KeyAttributes: [],
    LogicalName: table.logicalName,
    RelatedEntities: [],
    RowVersion: version === undefined ? null : String(version),
  };
}

/**
 * The input parameters of a Win / Lose request: the OpportunityClose activity (its opportunityid a
 * reference to the opportunity) and the Status. There is no Target, and the opportunity is named only
 * inside OpportunityClose: the context's PrimaryEntityId is left empty, which is the answer that
 * gives a client less (the documentation does not say).
 */
function closeInputParameters(event: WriteEvent): KeyValue[] {
  const close = event.closeParameters;
  if (!close) return [];
  const attributes: KeyValue[] = Object.entries(close.opportunityClose).map(([key, value]) => {
    if (isLookupValue(value)) {
      return { key, value: { __type: `EntityReference:${CONTRACTS}`, Id: value.id, KeyAttributes: [], LogicalName: value.logicalName, Name: null, RowVersion: null } };
    }
    if (key === "actualrevenue" && typeof value === "number") return { key, value: { __type: `Money:${CONTRACTS}`, Value: value } };
    if (key === "actualend" && typeof value === "string") return { key, value: dataContractDate(value) };
    return { key, value };
  });
  const opportunityClose = {
    __type: `Entity:${CONTRACTS}`, Attributes: attributes, EntityState: null, FormattedValues: [], Id: EMPTY_GUID, KeyAttributes: [],
    LogicalName: "opportunityclose", RelatedEntities: [], RowVersion: null,
  };
  return [
    { key: "OpportunityClose", value: opportunityClose },
    { key: "Status", value: { __type: `OptionSetValue:${CONTRACTS}`, Value: close.status } },
  ];
}

export interface ImageRegistration {
  alias: string;
  /** Empty: all columns. */
  attributes: string[];
  pre: boolean;
  post: boolean;
}

function image(table: TableMeta, record: StoredRecord, registration: ImageRegistration): KeyValue {
  const values = registration.attributes.length === 0
    ? record.values
    : Object.fromEntries(Object.entries(record.values).filter(([name]) => registration.attributes.includes(name)));
  return { key: registration.alias, value: sdkEntity(table, record.id, values, record.version) };
}

export interface ExecutionContextInput {
  context: SandboxContext;
  event: WriteEvent;
  stepId: string;
  images: ImageRegistration[];
  correlationId: string;
  /** Milliseconds since the epoch (whole seconds: the row's modifiedon). */
  operationCreatedOn: number;
  requestId: string | null;
}

export function buildRemoteExecutionContext(input: ExecutionContextInput): Record<string, unknown> {
  const { context, event, images } = input;
  const { table, record } = event;
  const target = sdkEntity(table, record.id, event.target, record.version, true);
  const inputParameters = event.closeParameters ? closeInputParameters(event) : [{ key: "Target", value: target }];
  const primaryEntityId = event.closeParameters ? EMPTY_GUID : record.id;
  const operationId = randomUUID();
  // The main operation's own context, as Dataverse nests it under the async step's.
  const parent = {
    BusinessUnitId: context.businessUnitId,
    CorrelationId: input.correlationId,
    Depth: 1,
    InitiatingUserId: context.callerId,
    InputParameters: inputParameters,
    IsExecutingOffline: false,
    IsInTransaction: true,
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: event.message,
    Mode: 0,
    OperationCreatedOn: `/Date(${input.operationCreatedOn}+0000)/`,
    OperationId: operationId,
    OrganizationId: context.organizationId,
    OrganizationName: context.organizationName,
    OutputParameters: [],
    OwningExtension: { Id: EMPTY_GUID, KeyAttributes: [], LogicalName: null, Name: null, RowVersion: null },
    ParentContext: null,
    PostEntityImages: [],
    PreEntityImages: [],
    PrimaryEntityId: primaryEntityId,
    PrimaryEntityName: table.logicalName,
    RequestId: input.requestId,
    SecondaryEntityName: "none",
    SharedVariables: [],
    Stage: 30,
    UserId: context.callerId,
  };
  return {
    BusinessUnitId: context.businessUnitId,
    CorrelationId: input.correlationId,
    Depth: 1,
    InitiatingUserAzureActiveDirectoryObjectId: EMPTY_GUID,
    InitiatingUserId: context.callerId,
    InputParameters: inputParameters,
    IsExecutingOffline: false,
    IsInTransaction: false,
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: event.message,
    Mode: 1,
    OperationCreatedOn: `/Date(${input.operationCreatedOn}+0000)/`,
    OperationId: operationId,
    OrganizationId: context.organizationId,
    OrganizationName: context.organizationName,
    OutputParameters: event.message === "Create" ? [{ key: "id", value: record.id }] : [],
    OwningExtension: { Id: input.stepId, KeyAttributes: [], LogicalName: RegistrationTables.step.logicalName, Name: null, RowVersion: null },
    ParentContext: parent,
    PostEntityImages: images.filter((registration) => registration.post).map((registration) => image(table, record, registration)),
    PreEntityImages: event.previous
      ? images.filter((registration) => registration.pre).map((registration) => image(table, event.previous as StoredRecord, registration))
      : [],
    PrimaryEntityId: primaryEntityId,
    PrimaryEntityName: table.logicalName,
    RequestId: input.requestId,
    SecondaryEntityName: "none",
    SharedVariables: [{ key: "IsAutoTransact", value: true }],
    Stage: 40,
    UserAzureActiveDirectoryObjectId: EMPTY_GUID,
    UserId: context.callerId,
  };
}
