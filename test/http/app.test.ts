/** The backend's HTTP edge: only authenticated, well-formed webhooks reach the queue. */
import { randomUUID } from "node:crypto";
import pino from "pino";
import { beforeEach, describe, expect, it } from "vitest";
import { buildApp, WebhookRejectedError, type SyncTrigger } from "../../sync/http/app";
import { SyncMetrics } from "../../sync/observability/metrics";

const KEY = "s3cret-webhook-key";

function makeApp(options: { verify?: Parameters<typeof buildApp>[0]["verifyPartnerCenterEvent"] } = {}) {
  const enqueued: SyncTrigger[] = [];
  const seen = new Set<string>();
  const app = buildApp({
    logger: pino({ level: "silent" }),
    metrics: new SyncMetrics(),
    dataverseWebhookKey: KEY,
    verifyPartnerCenterEvent:
      options.verify ??
      (async (raw) => {
        const body = JSON.parse(raw) as { EventName: string; ResourceUri: string; ResourceChangeUtcDate: string };
        return { eventName: body.EventName, referralId: body.ResourceUri.split("/").pop()!, deliveryKey: raw, changedAt: Date.parse(body.ResourceChangeUtcDate) };
      }),
    enqueue: (trigger) => {
      const duplicate = seen.has(trigger.deliveryKey);
      seen.add(trigger.deliveryKey);
      if (!duplicate) enqueued.push(trigger);
      return { duplicate };
    },
    bodyLimitBytes: 64 * 1024,
  });
  return { app, enqueued };
}

function remoteContext(overrides: Record<string, unknown> = {}) {
  return {
    MessageName: "Update",
    PrimaryEntityName: "opportunity",
    PrimaryEntityId: randomUUID(),
    CorrelationId: randomUUID(),
    OperationId: randomUUID(),
    Depth: 1,
    ...overrides,
  };
}

describe("POST /webhooks/dataverse", () => {
  let env: ReturnType<typeof makeApp>;
  beforeEach(() => {
    env = makeApp();
  });

  it("accepts an authenticated RemoteExecutionContext and enqueues the opportunity", async () => {
    const context = remoteContext();
    const response = await env.app.inject({ method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: context });
    expect(response.statusCode).toBe(202);
    expect(env.enqueued).toEqual([expect.objectContaining({ source: "dataverse", kind: "opportunity", id: context.PrimaryEntityId })]);
  });

  it("passes on which columns the write set and its own time (OperationCreatedOn), and nothing when the context does not say", async () => {
    const context = remoteContext({
      OperationCreatedOn: "/Date(1795577402316)/",
      InputParameters: [{ key: "Target", value: { Attributes: [{ key: "estimatedclosedate", value: "/Date(1819670400000)/" }, { key: "ModifiedOn", value: null }], Id: randomUUID(), LogicalName: "opportunity" } }],
    });
    await env.app.inject({ method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: context });
    expect(env.enqueued[0]?.columnChange).toEqual({ columns: ["estimatedclosedate", "modifiedon"], at: 1795577402316 });
    await env.app.inject({ method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: remoteContext({ OperationCreatedOn: "not a date", InputParameters: "odd" }) });
    expect(env.enqueued[1]?.columnChange).toBeNull();
  });

  it("accepts the ids Dataverse really mints (sequential GUIDs, any letter case) and enqueues them in lower case", async () => {
    // Microsoft's own webhook sample and the WinOpportunity docs: the version nibble is not an RFC one.
    for (const id of ["6d81597f-0f9f-e711-80e0-00155db0d8b8", "B3828AC8-917A-E511-80D2-00155D2A68D2"]) {
      const response = await env.app.inject({ method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: remoteContext({ PrimaryEntityId: id }) });
      expect(response.statusCode).toBe(202);
    }
    expect(env.enqueued.map((trigger) => trigger.id)).toEqual(["6d81597f-0f9f-e711-80e0-00155db0d8b8", "b3828ac8-917a-e511-80d2-00155d2a68d2"]);
  });

  it("refuses an id that is not 8-4-4-4-12 hex, saying what an id looks like", async () => {
    for (const id of ["6d81597f0f9fe71180e000155db0d8b8", "6d81597f-0f9f-e711-80e0-00155db0d8bz", "{6d81597f-0f9f-e711-80e0-00155db0d8b8}"]) {
      const response = await env.app.inject({ method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: remoteContext({ PrimaryEntityId: id }) });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatch(/PrimaryEntityId: expected a Dataverse record id \(8-4-4-4-12 hexadecimal digits\)/);
    }
    expect(env.enqueued).toEqual([]);
  });

  it("takes a redelivery with the id in another letter case for the same delivery", async () => {
    const context = remoteContext({ PrimaryEntityId: "6d81597f-0f9f-e711-80e0-00155db0d8b8" });
    await env.app.inject({ method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: context });
    const again = await env.app.inject({ method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: { ...context, PrimaryEntityId: context.PrimaryEntityId.toUpperCase() } });
    expect(again.json().duplicate).toBe(true);
  });

  it("takes a close's opportunity from OpportunityClose when a Win or Lose context leaves PrimaryEntityId empty", async () => {
    const opportunityId = "6d81597f-0f9f-e711-80e0-00155db0d8b8";
    const close = (attributes: unknown[]) => remoteContext({
      MessageName: "Win",
      PrimaryEntityId: "00000000-0000-0000-0000-000000000000",
      InputParameters: [
        { key: "OpportunityClose", value: { LogicalName: "opportunityclose", Attributes: attributes } },
        { key: "Status", value: { Value: 3 } },
      ],
    });
    const accepted = await env.app.inject({
      method: "POST", url: `/webhooks/dataverse?code=${KEY}`,
      payload: close([{ key: "opportunityid", value: { Id: opportunityId, LogicalName: "opportunity" } }, { key: "actualrevenue", value: { Value: 5000 } }]),
    });
    expect(accepted.statusCode).toBe(202);
    expect(env.enqueued).toEqual([expect.objectContaining({ id: opportunityId, deliveryKey: expect.stringContaining(`win:${opportunityId}`) })]);
    const unnamed = await env.app.inject({ method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: close([]) });
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json().error).toMatch(/PrimaryEntityId: is empty and no OpportunityClose names the opportunity/);
    expect(env.enqueued).toHaveLength(1);
  });

  it("also takes the key in a header", async () => {
    const response = await env.app.inject({
      method: "POST", url: "/webhooks/dataverse", headers: { "x-cosell-webhook-key": KEY }, payload: remoteContext(),
    });
    expect(response.statusCode).toBe(202);
  });

  it("refuses a wrong or missing key with 401 and enqueues nothing", async () => {
    for (const url of ["/webhooks/dataverse?code=wrong", "/webhooks/dataverse"]) {
      const response = await env.app.inject({ method: "POST", url, payload: remoteContext() });
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toMatch(/webhook key/);
    }
    expect(env.enqueued).toEqual([]);
  });

  it("refuses malformed JSON and contexts missing the record id, saying why", async () => {
    const bad = await env.app.inject({
      method: "POST", url: `/webhooks/dataverse?code=${KEY}`, headers: { "content-type": "application/json" }, payload: "{not json",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/not valid JSON/);
    const missing = await env.app.inject({
      method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: { ...remoteContext(), PrimaryEntityId: "nope" },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatch(/PrimaryEntityId/);
    expect(env.enqueued).toEqual([]);
  });

  it("refuses other tables", async () => {
    const response = await env.app.inject({
      method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: remoteContext({ PrimaryEntityName: "account" }),
    });
    expect(response.statusCode).toBe(400);
    expect(env.enqueued).toEqual([]);
  });

  it("recognises a redelivery as a duplicate", async () => {
    const context = remoteContext();
    await env.app.inject({ method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: context });
    const again = await env.app.inject({ method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: context });
    expect(again.statusCode).toBe(202);
    expect(again.json().duplicate).toBe(true);
    expect(env.enqueued).toHaveLength(1);
  });

  it("refuses bodies over the limit with 413", async () => {
    const response = await env.app.inject({
      method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: remoteContext({ Padding: "x".repeat(70 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
    expect(env.enqueued).toEqual([]);
  });
});

describe("POST /webhooks/partner-center", () => {
  it("enqueues a verified referral event with the time the referral changed", async () => {
    const env = makeApp();
    const response = await env.app.inject({
      method: "POST", url: "/webhooks/partner-center",
      payload: {
        EventName: "referral-updated",
        ResourceUri: "https://api.partner.microsoft.com/v1.0/engagements/referrals/abc",
        ResourceChangeUtcDate: "2026-11-25T10:27:31.291+00:00",
      },
    });
    expect(response.statusCode).toBe(202);
    expect(env.enqueued).toEqual([
      expect.objectContaining({ source: "partner-center", kind: "referral", id: "abc", referralChangedAt: Date.parse("2026-11-25T10:27:31.291Z") }),
    ]);
  });

  it("passes the verifier's refusal through with its reason and enqueues nothing", async () => {
    const env = makeApp({
      verify: async () => {
        throw new WebhookRejectedError(401, "signature does not match the body");
      },
    });
    const response = await env.app.inject({ method: "POST", url: "/webhooks/partner-center", payload: { EventName: "referral-created" } });
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toBe("signature does not match the body");
    expect(env.enqueued).toEqual([]);
  });

  it("refuses an empty body", async () => {
    const env = makeApp();
    const response = await env.app.inject({ method: "POST", url: "/webhooks/partner-center", headers: { "content-type": "application/json" }, payload: "" });
    expect(response.statusCode).toBe(400);
  });
});

describe("logs", () => {
  it("never write the webhook key, even though Dataverse sends it in the query string", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
    const app = buildApp({
      logger, metrics: new SyncMetrics(), dataverseWebhookKey: KEY,
      verifyPartnerCenterEvent: async () => null, enqueue: () => ({ duplicate: false }),
    });
    await app.inject({ method: "POST", url: `/webhooks/dataverse?code=${KEY}`, payload: remoteContext() });
    await app.inject({ method: "POST", url: `/webhooks/dataverse?code=${KEY}x`, payload: remoteContext() });
    expect(lines.join("\n")).toContain("/webhooks/dataverse");
    expect(lines.join("\n")).not.toContain(KEY);
  });
});

describe("the public port", () => {
  it("answers liveness only: readiness and metrics are on the private ops port", async () => {
    const { app } = makeApp();
    expect((await app.inject("/healthz")).json()).toEqual({ status: "ok" });
    expect((await app.inject("/readyz")).statusCode).toBe(404);
    expect((await app.inject("/metrics")).statusCode).toBe(404);
  });
});
