/**
 * The RemoteExecutionContext JSON Dataverse posts to a webhook: the plug-in execution context
 * serialized by .NET's DataContractJsonSerializer (key/value lists, "__type" hints on entities,
 * entity references, option set values and money, dates as "/Date(ms)/").
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
  operationCreatedOn: string;
}

export function buildRemoteExecutionContext(input: ExecutionContextInput): Record<string, unknown> {
  const { context, event, images } = input;
  const { table, record } = event;
  const target = sdkEntity(table, record.id, event.target, record.version, true);
  return {
    BusinessUnitId: context.businessUnitId,
    CorrelationId: input.correlationId,
    Depth: 1,
    InitiatingUserAzureActiveDirectoryObjectId: EMPTY_GUID,
    InitiatingUserId: context.callerId,
    InputParameters: [{ key: "Target", value: target }],
    IsExecutingOffline: false,
    IsInTransaction: false,
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: event.message,
    Mode: 1,
    OperationCreatedOn: dataContractDate(input.operationCreatedOn),
    OperationId: randomUUID(),
    OrganizationId: context.organizationId,
    OrganizationName: context.organizationName,
    OutputParameters: event.message === "Create" ? [{ key: "id", value: record.id }] : [],
    OwningExtension: { Id: input.stepId, KeyAttributes: [], LogicalName: RegistrationTables.step.logicalName, Name: null, RowVersion: null },
    ParentContext: null,
    PostEntityImages: images.filter((registration) => registration.post).map((registration) => image(table, record, registration)),
    PreEntityImages: event.previous
      ? images.filter((registration) => registration.pre).map((registration) => image(table, event.previous as StoredRecord, registration))
      : [],
    PrimaryEntityId: record.id,
    PrimaryEntityName: table.logicalName,
    RequestId: randomUUID(),
    SecondaryEntityName: "none",
    SharedVariables: [{ key: "IsAutoTransact", value: true }],
    Stage: 40,
    UserAzureActiveDirectoryObjectId: EMPTY_GUID,
    UserId: context.callerId,
  };
}
