/**
 * Registers the backend's webhook in an org exactly as the Plug-in Registration Tool would, through the
 * Web API: one service endpoint (contract Webhook, the backend's URL, auth WebhookKey: Dataverse sends
 * the key as the `code` query value) and one asynchronous post-operation step per message on
 * opportunity, Update filtered to the columns a person or process edits. Running it again updates the
 * same rows (found by name) instead of adding duplicates, so it also rotates the key or moves the URL.
 */
import {
  SYNC_TRIGGER_COLUMNS,
  RegistrationTables,
  SdkMessageColumns,
  SdkMessageFilterColumns,
  ServiceEndpointAuthType,
  ServiceEndpointColumns,
  ServiceEndpointContract,
  StepColumns,
  StepMode,
  StepStage,
  Tables,
} from "../../entities";
import type { DataverseClient } from "./dataverse-client";
import { DataverseError } from "./dataverse-error";
import { odataString } from "./odata-rows";
import type { EntityRef } from "./records";

/** Win / Lose: the close dialog's own messages (WinOpportunity / LoseOpportunity), not Update. */
export type StepMessage = "Create" | "Update" | "Win" | "Lose";

export interface StepSpec {
  message: StepMessage;
  /** Columns whose change triggers the step (Update only); empty = any column. */
  filteringAttributes?: readonly string[];
}

export interface WebhookRegistration {
  /** Service endpoint name; steps are named after it. */
  name: string;
  /** The backend's webhook URL, e.g. https://cosell.contoso.com/webhooks/dataverse */
  url: string;
  webhookKey: string;
  steps: readonly StepSpec[];
}

export interface RegisteredWebhook {
  serviceEndpointId: string;
  stepIds: Partial<Record<StepMessage, string>>;
}

/** The columns whose edits need a sync (entities/sync-triggers.ts explains the choice). */
export const OPPORTUNITY_TRIGGER_COLUMNS: readonly string[] = SYNC_TRIGGER_COLUMNS;

export const DEFAULT_OPPORTUNITY_STEPS: readonly StepSpec[] = [
  { message: "Create" },
  { message: "Update", filteringAttributes: OPPORTUNITY_TRIGGER_COLUMNS },
  // Whether closing runs Update steps is not documented: closes get steps of their own.
  { message: "Win" },
  { message: "Lose" },
];

async function findIdByName(client: DataverseClient, table: { logicalName: string; entitySetName: string; primaryId: string }, nameColumn: string, name: string, extraFilter?: string): Promise<string | undefined> {
  const filter = `${nameColumn} eq ${odataString(name)}${extraFilter ? ` and ${extraFilter}` : ""}`;
  const [row] = await client.query<Record<string, unknown>>(table, [table.primaryId], { filter, top: 1 });
  return row?.id;
}

export async function registerWebhook(client: DataverseClient, registration: WebhookRegistration): Promise<RegisteredWebhook> {
  const endpointTable = RegistrationTables.serviceEndpoint;
  const endpointValues = {
    [ServiceEndpointColumns.name]: registration.name,
    [ServiceEndpointColumns.contract]: ServiceEndpointContract.Webhook,
    [ServiceEndpointColumns.url]: registration.url,
    [ServiceEndpointColumns.authType]: ServiceEndpointAuthType.WebhookKey,
    [ServiceEndpointColumns.authValue]: registration.webhookKey,
  };
  let serviceEndpointId = await findIdByName(client, endpointTable, ServiceEndpointColumns.name, registration.name);
  if (serviceEndpointId) await client.update(endpointTable, serviceEndpointId, endpointValues);
  else serviceEndpointId = await client.create(endpointTable, endpointValues);

  const stepIds: Partial<Record<StepMessage, string>> = {};
  for (const spec of registration.steps) {
    const messageId = await findIdByName(client, RegistrationTables.sdkMessage, SdkMessageColumns.name, spec.message);
    if (!messageId) throw new DataverseError(`The org has no SDK message ${spec.message}`, { status: 404 });
    const filterId = await findIdByName(
      client,
      RegistrationTables.sdkMessageFilter,
      SdkMessageFilterColumns.primaryObjectTypeCode,
      Tables.opportunity.logicalName,
      `_${SdkMessageFilterColumns.message}_value eq ${messageId}`,
    );
    if (!filterId) throw new DataverseError(`The org has no ${spec.message} message filter for opportunity`, { status: 404 });
    const ref = (table: { logicalName: string }, id: string): EntityRef => ({ logicalName: table.logicalName, id });
    const name = `${registration.name}: ${spec.message} of ${Tables.opportunity.logicalName}`;
    const stepValues = {
      [StepColumns.name]: name,
      [StepColumns.description]: `Sends opportunity ${spec.message} to ${registration.url}`,
      [StepColumns.eventHandler]: ref(endpointTable, serviceEndpointId),
      [StepColumns.message]: ref(RegistrationTables.sdkMessage, messageId),
      [StepColumns.messageFilter]: ref(RegistrationTables.sdkMessageFilter, filterId),
      [StepColumns.stage]: StepStage.PostOperation,
      [StepColumns.mode]: StepMode.Asynchronous,
      [StepColumns.rank]: 1,
      [StepColumns.supportedDeployment]: 0,
      [StepColumns.asyncAutoDelete]: true,
      [StepColumns.filteringAttributes]: spec.message === "Update" ? (spec.filteringAttributes ?? []).join(",") : null,
    };
    const existing = await findIdByName(client, RegistrationTables.step, StepColumns.name, name);
    if (existing) {
      await client.update(RegistrationTables.step, existing, stepValues);
      stepIds[spec.message] = existing;
    } else {
      stepIds[spec.message] = await client.create(RegistrationTables.step, stepValues);
    }
  }
  return { serviceEndpointId, stepIds };
}
