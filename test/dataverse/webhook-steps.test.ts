/**
 * The webhook as the backend's register command sets it up: a service endpoint and async steps created
 * through the Web API. Writes to opportunities then reach a receiver on 127.0.0.1 as Dataverse sends
 * them (RemoteExecutionContext JSON, x-ms-dynamics-* headers, the WebhookKey as `code`), an update that
 * touches none of the filtering attributes sends nothing, and a failing receiver gets retries.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  OpportunityColumns,
  OpportunityStandardColumns as O,
  RegistrationTables,
  ServiceEndpointAuthType,
  ServiceEndpointColumns as E,
  ServiceEndpointContract,
  StepColumns as S,
  StepMode,
  StepStage,
  SyncStatus,
  Tables,
} from "../../entities";
import { DEFAULT_OPPORTUNITY_STEPS, registerWebhook } from "../../sync/dataverse";
import { solutionZip, startFixture, type Fixture } from "./sandbox-fixture";

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

describe("webhook steps", () => {
  let fixture: Fixture;
  let receiver: Server;
  let receiverUrl = "";
  const received: Received[] = [];
  /** Status codes to answer with, one per request, then 200. */
  const failures: number[] = [];

  beforeAll(async () => {
    fixture = await startFixture();
    receiver = createServer((request, response) => {
      let text = "";
      request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      request.on("end", () => {
        received.push({ url: request.url ?? "", headers: request.headers, body: JSON.parse(text) as Record<string, unknown> });
        response.statusCode = failures.shift() ?? 200;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/dataverse`;
  });
  afterAll(async () => {
    await fixture.sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });
  beforeEach(async () => {
    fixture.sandbox.reset();
    received.length = 0;
    failures.length = 0;
    await fixture.client.importSolution(await solutionZip());
  });

  const register = () =>
    registerWebhook(fixture.client, { name: "Partner Center co-sell", url: receiverUrl, webhookKey: "k3y-with-enough-entropy", steps: DEFAULT_OPPORTUNITY_STEPS });

  it("registers a webhook service endpoint and async post-operation steps as real Dataverse rows, idempotently", async () => {
    const first = await register();
    const second = await register();
    expect(second).toEqual(first);
    const endpoints = await fixture.client.query<Record<string, unknown>>(RegistrationTables.serviceEndpoint, [E.id, E.contract, E.url, E.authType]);
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]?.values).toMatchObject({ [E.contract]: ServiceEndpointContract.Webhook, [E.url]: receiverUrl, [E.authType]: ServiceEndpointAuthType.WebhookKey });
    const steps = await fixture.client.query<Record<string, unknown>>(RegistrationTables.step, [S.id, S.stage, S.mode, S.filteringAttributes]);
    expect(steps).toHaveLength(2);
    expect(steps.every((step) => step.values[S.stage] === StepStage.PostOperation && step.values[S.mode] === StepMode.Asynchronous)).toBe(true);
    expect(steps.map((step) => step.values[S.filteringAttributes])).toContainEqual(expect.stringContaining(OpportunityColumns.syncRequestedOn));
    // As in Dataverse, an asynchronous step must run post-operation.
    await expect(fixture.client.create(RegistrationTables.step, { [S.name]: "bad", [S.mode]: StepMode.Asynchronous, [S.stage]: StepStage.PreOperation })).rejects.toMatchObject({ status: 400 });
  });

  it("delivers a RemoteExecutionContext for a create and for an update of a filtered column", async () => {
    await register();
    const id = await fixture.client.createOpportunity({ [O.name]: "Webhook deal", [OpportunityColumns.syncWithPartnerCenter]: true });
    await fixture.sandbox.webhooksIdle();
    expect(received).toHaveLength(1);
    const create = received[0];
    expect(new URL(create?.url ?? "", receiverUrl).searchParams.get("code")).toBe("k3y-with-enough-entropy");
    expect(create?.headers).toMatchObject({
      "x-ms-dynamics-entity-name": Tables.opportunity.logicalName,
      "x-ms-dynamics-request-name": "Create",
      "x-ms-dynamics-organization": new URL(fixture.sandbox.url).host,
      "content-type": "application/json",
    });
    expect(create?.headers["x-ms-correlation-request-id"]).toBeTruthy();
    expect(create?.body).toMatchObject({
      MessageName: "Create",
      PrimaryEntityName: Tables.opportunity.logicalName,
      PrimaryEntityId: id,
      InitiatingUserId: fixture.sandbox.callerId,
      Depth: 1,
      Mode: 1,
      Stage: 40,
      OperationCreatedOn: expect.stringMatching(/^\/Date\(\d+\)\/$/),
    });
    const target = (create?.body["InputParameters"] as { key: string; value: { LogicalName: string; Attributes: { key: string; value: unknown }[] } }[])[0];
    expect(target?.key).toBe("Target");
    expect(target?.value.LogicalName).toBe(Tables.opportunity.logicalName);
    expect(target?.value.Attributes).toEqual(expect.arrayContaining([{ key: OpportunityColumns.syncWithPartnerCenter, value: true }]));

    await fixture.client.updateOpportunity(id, { [OpportunityColumns.syncRequestedOn]: "2026-11-25T10:00:00Z" });
    await fixture.sandbox.webhooksIdle();
    expect(received).toHaveLength(2);
    expect(received[1]?.body).toMatchObject({ MessageName: "Update", PrimaryEntityId: id });
  });

  it("sends nothing for an update that touches no filtering attribute (the backend's own bookkeeping)", async () => {
    await register();
    const id = await fixture.client.createOpportunity({ [O.name]: "Quiet" });
    await fixture.sandbox.webhooksIdle();
    received.length = 0;
    await fixture.client.updateOpportunity(id, { [OpportunityColumns.syncStatus]: SyncStatus.Synced, [OpportunityColumns.audit]: "synced" });
    await fixture.sandbox.webhooksIdle();
    expect(received).toHaveLength(0);
  });

  it("retries a delivery the receiver failed, then gives it up after the last attempt", async () => {
    await register();
    failures.push(503, 500);
    await fixture.client.createOpportunity({ [O.name]: "Retried" });
    await fixture.sandbox.webhooksIdle();
    expect(received).toHaveLength(3);
    expect(fixture.sandbox.webhookDeliveries().at(-1)).toMatchObject({ status: "delivered", attempts: 3 });

    failures.push(500, 500, 500, 500, 500);
    await fixture.client.createOpportunity({ [O.name]: "Never accepted" });
    await fixture.sandbox.webhooksIdle();
    expect(fixture.sandbox.webhookDeliveries().at(-1)).toMatchObject({ status: "failed", attempts: 5, lastStatusCode: 500 });
  });
});
