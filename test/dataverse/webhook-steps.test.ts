/**
 * The webhook as the backend's register command sets it up: a service endpoint and async steps created
 * through the Web API. Writes to opportunities then reach a receiver on 127.0.0.1 as Dataverse sends
 * them (RemoteExecutionContext JSON, x-ms-dynamics-* headers, the WebhookKey as `code`), an update that
 * touches none of the filtering attributes sends nothing, and a failing receiver gets Dataverse's
 * one retry after 502/503/504 and nothing else (use-webhooks.md).
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
    expect(steps).toHaveLength(DEFAULT_OPPORTUNITY_STEPS.length);
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
    // Dataverse sends no x-request-id (only the documented x-ms-* headers).
    expect(create?.headers["x-request-id"]).toBeUndefined();
    expect(create?.body).toMatchObject({
      MessageName: "Create",
      PrimaryEntityName: Tables.opportunity.logicalName,
      PrimaryEntityId: id,
      InitiatingUserId: fixture.sandbox.callerId,
      Depth: 1,
      Mode: 1,
      Stage: 40,
      // Whole seconds with a zone offset, as in Microsoft's published payloads.
      OperationCreatedOn: expect.stringMatching(/^\/Date\(\d+000\+0000\)\/$/),
      ParentContext: expect.objectContaining({ MessageName: "Create", PrimaryEntityId: id, Stage: 30, Mode: 0 }),
    });
    const target = (create?.body["InputParameters"] as { key: string; value: { LogicalName: string; Attributes: { key: string; value: unknown }[] } }[])[0];
    expect(target?.key).toBe("Target");
    expect(target?.value.LogicalName).toBe(Tables.opportunity.logicalName);
    expect(target?.value.Attributes).toEqual(expect.arrayContaining([{ key: OpportunityColumns.syncWithPartnerCenter, value: true }]));

    await fixture.client.updateOpportunity(id, { [OpportunityColumns.syncRequestedOn]: "2026-11-25T10:00:00Z" });
    await fixture.sandbox.webhooksIdle();
    expect(received).toHaveLength(2);
    const update = received[1]?.body as Record<string, unknown>;
    expect(update).toMatchObject({ MessageName: "Update", PrimaryEntityId: id });
    // RequestId is null in the 2017 sample and set in the 2024 one: the sandbox sends both.
    expect([create?.body["RequestId"], update["RequestId"]]).toEqual(expect.arrayContaining([null, expect.any(String)]));
    // The Target carries the platform columns the caller never wrote, modifiedon equal to the operation's time.
    const updateTarget = (update["InputParameters"] as { value: { Attributes: { key: string; value: unknown }[] } }[])[0]?.value.Attributes ?? [];
    expect(updateTarget.map((attribute) => attribute.key)).toEqual(
      expect.arrayContaining([OpportunityColumns.syncRequestedOn, "modifiedon", "modifiedby", "modifiedonbehalfby", "timezoneruleversionnumber"]),
    );
    const modifiedOn = updateTarget.find((attribute) => attribute.key === "modifiedon")?.value as string;
    expect(update["OperationCreatedOn"]).toBe(modifiedOn.replace(")/", "+0000)/"));
  });

  it("a close from the dialog (WinOpportunity) runs the Win step, not Update's, and names the opportunity in OpportunityClose", async () => {
    await register();
    const id = await fixture.client.createOpportunity({ [O.name]: "Closing", [OpportunityColumns.syncWithPartnerCenter]: true });
    await fixture.sandbox.webhooksIdle();
    received.length = 0;
    await fixture.client.winOpportunity(id);
    await fixture.sandbox.webhooksIdle();
    expect(received.map((delivery) => delivery.body["MessageName"])).toEqual(["Win"]);
    const win = received[0]?.body as Record<string, unknown>;
    expect(received[0]?.headers["x-ms-dynamics-request-name"]).toBe("Win");
    expect(win).toMatchObject({ PrimaryEntityName: Tables.opportunity.logicalName, PrimaryEntityId: "00000000-0000-0000-0000-000000000000" });
    const close = (win["InputParameters"] as { key: string; value: { LogicalName: string; Attributes: { key: string; value: unknown }[] } }[]).find((p) => p.key === "OpportunityClose");
    expect(close?.value.LogicalName).toBe("opportunityclose");
    expect(close?.value.Attributes).toContainEqual({ key: "opportunityid", value: expect.objectContaining({ Id: id, LogicalName: Tables.opportunity.logicalName }) });
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

  it("tries once more after 502, 503 or 504 and gives up after that second attempt", async () => {
    await register();
    for (const status of [502, 503, 504]) {
      failures.push(status);
      await fixture.client.createOpportunity({ [O.name]: `Retried after ${status}` });
      await fixture.sandbox.webhooksIdle();
      expect(fixture.sandbox.webhookDeliveries().at(-1)).toMatchObject({ status: "delivered", attempts: 2 });
    }
    failures.push(503, 503);
    await fixture.client.createOpportunity({ [O.name]: "Lost after two" });
    await fixture.sandbox.webhooksIdle();
    expect(fixture.sandbox.webhookDeliveries().at(-1)).toMatchObject({ status: "failed", attempts: 2, lastStatusCode: 503 });
  });

  it("fires no webhook for a $batch change set that was rolled back, and one per write of a committed one", async () => {
    await register();
    const part = (contentId: number, name: string) =>
      [
        "--changeset_1", "Content-Type: application/http", "Content-Transfer-Encoding: binary", `Content-ID: ${contentId}`, "",
        `POST /api/data/v9.2/${Tables.opportunity.entitySetName} HTTP/1.1`, "Content-Type: application/json;type=entry", "",
        JSON.stringify({ [O.name]: name, [OpportunityColumns.syncWithPartnerCenter]: true }),
      ].join("\r\n");
    const changeSet = (...parts: string[]) =>
      fetch(`${fixture.sandbox.apiUrl}/$batch`, {
        method: "POST",
        headers: { "content-type": "multipart/mixed;boundary=batch_1", authorization: "Bearer t" },
        body: ["--batch_1", "Content-Type: multipart/mixed;boundary=changeset_1", "", ...parts, "--changeset_1--", "--batch_1--", ""].join("\r\n"),
      }).then((response) => response.text());
    // The second create's name is longer than the column's 300 characters: the whole change set rolls back.
    expect(await changeSet(part(1, "Rolled back"), part(2, "x".repeat(301)))).toContain("HTTP/1.1 400 Bad Request");
    await fixture.sandbox.webhooksIdle();
    expect(received).toHaveLength(0);
    await changeSet(part(1, "Committed one"), part(2, "Committed two"));
    await fixture.sandbox.webhooksIdle();
    expect(received.map((delivery) => delivery.body["MessageName"])).toEqual(["Create", "Create"]);
  });

  it("never redelivers after 500 or a 4xx: the change is lost to the webhook", async () => {
    await register();
    for (const status of [500, 400, 401, 429]) {
      received.length = 0;
      failures.push(status);
      await fixture.client.createOpportunity({ [O.name]: `Lost after ${status}` });
      await fixture.sandbox.webhooksIdle();
      expect(received).toHaveLength(1);
      expect(fixture.sandbox.webhookDeliveries().at(-1)).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: status });
    }
  });
});
