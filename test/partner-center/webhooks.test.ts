/**
 * Webhook registration, signed delivery by the sandbox, and the backend's verifier, over real HTTP.
 */
import { generateKeyPairSync, sign, type X509Certificate } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startPartnerCenterSandbox, type PartnerCenterSandbox } from "../../sandbox/partner-center/partner-center-sandbox";
import {
  SANDBOX_CERTIFICATE_ORGANIZATION,
  createCertificateAuthority,
  createSelfSignedIdentity,
  createSigningIdentity,
  type SigningIdentity,
} from "../../sandbox/partner-center/sandbox-certificate";
import { ReferralsClient } from "../../sync/partner-center/referrals-client";
import { StaticTokenProvider } from "../../sync/partner-center/token-provider";
import { WebhookEventError, parseWebhookEvent } from "../../sync/partner-center/webhook-event";
import { REFERRAL_WEBHOOK_EVENTS, WebhookRegistrationClient } from "../../sync/partner-center/webhook-registration-client";
import {
  createCertificateFetcher,
  productionVerificationPolicy,
  verifyWebhookSignature,
  type WebhookVerificationPolicy,
} from "../../sync/partner-center/webhook-signature-verifier";
import { clientFor, sampleReferral, startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from "./partner-center-test-kit";

let sandbox: PartnerCenterSandbox;
let receiver: WebhookReceiver;
let referrals: ReferralsClient;
let registration: WebhookRegistrationClient;
let policy: WebhookVerificationPolicy;

beforeAll(async () => {
  // Fast retries so ten attempts take milliseconds; the random source is pinned so fault rolls are exact.
  sandbox = await startPartnerCenterSandbox({ webhookDelivery: { initialBackoffMs: 5, maxBackoffMs: 20, reorderHoldMs: 300 } });
  receiver = await startWebhookReceiver();
  referrals = clientFor(sandbox.url);
  registration = new WebhookRegistrationClient({ baseUrl: sandbox.url, tokenProvider: new StaticTokenProvider("t"), retry: { maxAttempts: 1 } });
  policy = {
    allowedCertificateHosts: [],
    sandboxCertificateUrl: sandbox.certificateUrl,
    expectedIssuerOrganization: SANDBOX_CERTIFICATE_ORGANIZATION,
    trustAnchors: [sandbox.certificateAuthority],
  };
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
beforeEach(async () => {
  sandbox.reset();
  receiver.received.length = 0;
  receiver.respondWith(() => 200);
  await registration.register({ WebhookUrl: receiver.url, WebhookEvents: [...REFERRAL_WEBHOOK_EVENTS, "test-created"] });
});

const fetchCertificate = createCertificateFetcher();
const verify = (delivery: ReceivedDelivery, overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {}) =>
  verifyWebhookSignature({ rawBody: delivery.rawBody, headers: delivery.headers, fetchCertificate, policy, ...overrides });

async function oneDelivery(): Promise<ReceivedDelivery> {
  await referrals.create(sampleReferral());
  await sandbox.webhooksIdle();
  expect(receiver.received).toHaveLength(1);
  return receiver.received[0]!;
}

describe("registration", () => {
  it("lists the supported events, views, rejects a second POST and updates with PUT", async () => {
    expect(await registration.supportedEvents()).toEqual(expect.arrayContaining([...REFERRAL_WEBHOOK_EVENTS, "test-created"]));
    expect(await registration.get()).toEqual({ WebhookUrl: receiver.url, WebhookEvents: [...REFERRAL_WEBHOOK_EVENTS, "test-created"] });
    await expect(registration.register({ WebhookUrl: receiver.url, WebhookEvents: ["referral-created"] })).rejects.toMatchObject({ status: 409 });
    const updated = await registration.registerOrUpdate({ WebhookUrl: `${receiver.url}?v=2`, WebhookEvents: ["referral-updated"] });
    expect(updated).toMatchObject({ WebhookUrl: `${receiver.url}?v=2`, WebhookEvents: ["referral-updated"] });
    await expect(registration.register({ WebhookUrl: "not a url", WebhookEvents: ["x"] } as never)).rejects.toMatchObject({ status: 400 });
  });

  it("needs a bearer token", async () => {
    const response = await fetch(`${sandbox.url}/webhooks/v1/registration`);
    expect(response.status).toBe(401);
  });

  it("sends a test event through validationEvents and reports its delivery", async () => {
    const correlationId = await registration.sendTestEvent();
    await sandbox.webhooksIdle();
    const status = await registration.testEventStatus(correlationId);
    expect(status).toMatchObject({ correlationId, status: "completed", callbackUrl: receiver.url, results: [{ responseCode: "OK", systemError: false }] });
    const parsed = parseWebhookEvent(receiver.received[0]!.rawBody);
    expect(parsed.event).toMatchObject({ EventName: "test-created", ResourceName: "test" });
    expect(parsed.referralId).toBeUndefined();
    expect((await verify(receiver.received[0]!)).ok).toBe(true);
  });
});

describe("signed delivery verified by the backend's verifier", () => {
  it("delivers referral-created with the documented headers and a signature that verifies", async () => {
    const delivery = await oneDelivery();
    expect(delivery.headers.authorization).toMatch(/^Signature [A-Za-z0-9+/]+=*$/);
    expect(delivery.headers["x-ms-certificate-url"]).toBe(sandbox.certificateUrl);
    expect(delivery.headers["x-ms-signature-algorithm"]).toBe("rsa-sha256");
    const result = await verify(delivery);
    expect(result.ok).toBe(true);

    const parsed = parseWebhookEvent(delivery.rawBody);
    const [created] = sandbox.deliveries();
    expect(parsed.event.EventName).toBe("referral-created");
    expect(parsed.event.ResourceChangeUtcDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$/);
    expect(parsed.event.AuditUri).toBeNull();
    expect(created!.status).toBe("delivered");
    // The id from the last ResourceUri segment fetches the referral from the referrals API.
    expect((await referrals.get(parsed.referralId!)).externalReferenceId).toBe("opportunity-1");
  });

  it("puts the signature in x-ms-signature when the registration asks for it", async () => {
    await registration.update({ WebhookUrl: receiver.url, WebhookEvents: ["referral-created"], SignatureTokenToMsSignatureHeader: true });
    const delivery = await oneDelivery();
    expect(delivery.headers.authorization).toBeUndefined();
    expect(delivery.headers["x-ms-signature"]).toMatch(/^Signature /);
    expect((await verify(delivery)).ok).toBe(true);
  });

  it("rejects each kind of bad delivery with its own reason", async () => {
    const delivery = await oneDelivery();
    const tampered = Buffer.from(delivery.rawBody.toString("utf8").replace("referral-created", "referral-updated"));
    expect(await verify(delivery, { rawBody: tampered })).toMatchObject({ ok: false, reason: "signature-mismatch" });

    const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const wrongKey = { ...delivery.headers, authorization: `Signature ${sign("sha256", delivery.rawBody, otherKey).toString("base64")}` };
    expect(await verify(delivery, { headers: wrongKey })).toMatchObject({ ok: false, reason: "signature-mismatch" });

    const elsewhere = { ...delivery.headers, "x-ms-certificate-url": "https://evil.example/cert/pcnotifications-dispatch.microsoft.com.cer" };
    expect(await verify(delivery, { headers: elsewhere })).toMatchObject({ ok: false, reason: "certificate-url-not-allowed" });
    const otherLoopback = { ...delivery.headers, "x-ms-certificate-url": `${sandbox.url}/some/other.cer` };
    expect(await verify(delivery, { headers: otherLoopback })).toMatchObject({ ok: false, reason: "certificate-url-not-allowed" });
    // In production mode the sandbox's plain-http URL is not acceptable at all.
    expect(await verify(delivery, { policy: productionVerificationPolicy() })).toMatchObject({ ok: false, reason: "certificate-url-not-allowed" });

    const afterExpiry = new Date(Date.parse(sandbox.certificate.validTo) + 86_400_000);
    expect(await verify(delivery, { now: afterExpiry })).toMatchObject({ ok: false, reason: "certificate-expired" });

    expect(await verify(delivery, { policy: { ...policy, expectedIssuerOrganization: "Microsoft Corporation" } })).toMatchObject({
      ok: false,
      reason: "certificate-issuer-mismatch",
    });

    const { authorization: _dropped, ...noSignature } = delivery.headers;
    expect(await verify(delivery, { headers: noSignature })).toMatchObject({ ok: false, reason: "missing-signature" });
    const { "x-ms-certificate-url": _url, ...noCertificateUrl } = delivery.headers;
    expect(await verify(delivery, { headers: noCertificateUrl })).toMatchObject({ ok: false, reason: "missing-certificate-url" });
    const { "x-ms-signature-algorithm": _algorithm, ...noAlgorithm } = delivery.headers;
    expect(await verify(delivery, { headers: noAlgorithm })).toMatchObject({ ok: false, reason: "missing-signature-algorithm" });
  });

  it("rejects a certificate that does not chain to a trusted issuer, and caches certificates per URL", async () => {
    const delivery = await oneDelivery();
    let downloads = 0;
    const countingFetcher = createCertificateFetcher({
      fetch: async (input, init) => {
        downloads++;
        return fetch(input, init);
      },
    });
    for (let i = 0; i < 3; i++) expect((await verify(delivery, { fetchCertificate: countingFetcher })).ok).toBe(true);
    expect(downloads).toBe(1);

    const otherSandbox = await startPartnerCenterSandbox();
    try {
      const untrusted = { ...policy, trustAnchors: [otherSandbox.certificateAuthority] };
      expect(await verify(delivery, { policy: untrusted })).toMatchObject({ ok: false, reason: "certificate-untrusted" });
      // Production trusts only the public roots (plus the issuers found through AIA): the sandbox CA is none of them.
      expect(await verify(delivery, { policy: { ...policy, trustAnchors: undefined, allowedIssuerHosts: [] } })).toMatchObject({
        ok: false,
        reason: "certificate-untrusted",
      });
    } finally {
      await otherSandbox.close();
    }
  });

  describe("the signing chain, as Partner Center's documentation asks", () => {
    /** The delivery's body signed by another identity, whose certificate (and any bundle) the fetcher serves. */
    async function signedBy(identity: SigningIdentity, bundle: X509Certificate[] = []) {
      const delivery = await oneDelivery();
      const headers = { ...delivery.headers, authorization: `Signature ${sign("sha256", delivery.rawBody, identity.privateKey).toString("base64")}` };
      const fetchCertificate = async () => [identity.certificate, ...bundle] as const;
      return verify(delivery, { headers, fetchCertificate });
    }

    it("accepts a certificate issued by the trusted CA", async () => {
      const authority = await createCertificateAuthority();
      const identity = await createSigningIdentity({ authority });
      const trusting = { ...policy, trustAnchors: [authority.certificate] };
      const delivery = await oneDelivery();
      const headers = { ...delivery.headers, authorization: `Signature ${sign("sha256", delivery.rawBody, identity.privateKey).toString("base64")}` };
      expect(await verify(delivery, { headers, policy: trusting, fetchCertificate: async () => [identity.certificate] })).toMatchObject({ ok: true });
    });

    it("refuses a certificate whose issuer is not the expected organization, even from a trusted CA", async () => {
      const authority = await createCertificateAuthority({ organization: "Contoso Ltd" });
      const identity = await createSigningIdentity({ authority });
      const delivery = await oneDelivery();
      const headers = { ...delivery.headers, authorization: `Signature ${sign("sha256", delivery.rawBody, identity.privateKey).toString("base64")}` };
      const trusting = { ...policy, trustAnchors: [authority.certificate] };
      expect(await verify(delivery, { headers, policy: trusting, fetchCertificate: async () => [identity.certificate] })).toMatchObject({
        ok: false,
        reason: "certificate-issuer-mismatch",
        detail: expect.stringContaining("Contoso Ltd"),
      });
    });

    it("refuses a self-signed certificate that names the right organization", async () => {
      const forged = await createSelfSignedIdentity();
      expect(await signedBy(forged)).toMatchObject({ ok: false, reason: "certificate-untrusted" });
    });

    it("refuses a chain whose CA travels in the certificate file but is not trusted", async () => {
      const rogue = await createCertificateAuthority();
      const identity = await createSigningIdentity({ authority: rogue });
      expect(await signedBy(identity, [rogue.certificate])).toMatchObject({ ok: false, reason: "certificate-untrusted" });
    });

    it("refuses an expired certificate", async () => {
      const delivery = await oneDelivery();
      const afterExpiry = new Date(Date.parse(sandbox.certificate.validTo) + 1000);
      expect(await verify(delivery, { now: afterExpiry })).toMatchObject({ ok: false, reason: "certificate-expired" });
    });
  });

  it("fetches nothing for a malformed signature or a certificate URL off Partner Center's form", async () => {
    const delivery = await oneDelivery();
    let downloads = 0;
    const fetchCertificate = async () => {
      downloads++;
      return [sandbox.certificate] as const;
    };
    const production = productionVerificationPolicy();
    const shortSignature = { ...delivery.headers, authorization: `Signature ${Buffer.alloc(16).toString("base64")}` };
    expect(await verify(delivery, { headers: shortSignature, fetchCertificate })).toMatchObject({ ok: false, reason: "malformed-signature" });
    for (const url of [
      "https://3psostorageacct.blob.core.windows.net/other/path.cer",
      "https://3psostorageacct.blob.core.windows.net:8443/cert/x.cer",
      "https://3psostorageacct.blob.core.windows.net/cert/x.cer#frag",
      "https://3psostorageacct.blob.core.windows.net/cert/../x.cer",
      "http://3psostorageacct.blob.core.windows.net/cert/x.cer",
    ]) {
      const headers = { ...delivery.headers, "x-ms-certificate-url": url };
      expect(await verify(delivery, { headers, policy: production, fetchCertificate }), url).toMatchObject({ ok: false, reason: "certificate-url-not-allowed" });
    }
    expect(downloads).toBe(0);
    const documented = { ...delivery.headers, "x-ms-certificate-url": "https://3psostorageacct.blob.core.windows.net/cert/pcnotifications-dispatch.microsoft.com.cer" };
    await verify(delivery, { headers: documented, policy: production, fetchCertificate });
    expect(downloads).toBe(1);
  });
});

describe("delivery retries and faults", () => {
  it("retries after the receiver answers 500, up to success", async () => {
    receiver.respondWith((index) => (index < 3 ? 500 : 200));
    await referrals.create(sampleReferral());
    await sandbox.webhooksIdle();
    const [record] = sandbox.deliveries();
    expect(record!.attempts.map((attempt) => attempt.responseCode)).toEqual([500, 500, 500, 200]);
    expect(record!.status).toBe("delivered");
    expect(receiver.received).toHaveLength(1);
  });

  it("gives up after 10 attempts and moves the event offline", async () => {
    receiver.respondWith(() => 503);
    await referrals.create(sampleReferral());
    await sandbox.webhooksIdle();
    const [record] = sandbox.deliveries();
    expect(record!.attempts).toHaveLength(10);
    expect(record!.status).toBe("offline");
  });

  it("duplicates, drops and reorders deliveries when the faults ask for it", async () => {
    sandbox.faults.set({ webhookDuplicateRate: 1 });
    await referrals.create(sampleReferral());
    await sandbox.webhooksIdle();
    expect(receiver.received).toHaveLength(2);
    const [first, second] = receiver.received.map((delivery) => parseWebhookEvent(delivery.rawBody));
    expect(first!.dedupeKey).toBe(second!.dedupeKey);

    receiver.received.length = 0;
    sandbox.faults.set({ webhookDropRate: 1 });
    await referrals.create(sampleReferral({ externalReferenceId: "dropped" }));
    await sandbox.webhooksIdle();
    expect(receiver.received).toHaveLength(0);
    expect(sandbox.deliveries().at(-1)!.status).toBe("dropped");

    sandbox.faults.set({ webhookReorderRate: 1 });
    const created = await referrals.create(sampleReferral({ externalReferenceId: "reordered" }));
    sandbox.faults.set({});
    await referrals.patch(created.id, [{ op: "replace", path: "/name", value: "later" }], { eTag: created.eTag });
    await sandbox.webhooksIdle();
    expect(receiver.received.map((delivery) => parseWebhookEvent(delivery.rawBody).event.EventName)).toEqual(["referral-updated", "referral-created"]);
  });

  it("sends related-referral events when Microsoft updates its side of an engagement", async () => {
    const own = await referrals.create(sampleReferral());
    await fetch(`${sandbox.url}/_sandbox/microsoft/engagements/${own.engagementId}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "Active", substatus: "Accepted" }),
    });
    await sandbox.webhooksIdle();
    const names = receiver.received.map((delivery) => parseWebhookEvent(delivery.rawBody).event.EventName);
    expect(names).toEqual(["referral-created", "related-referral-created", "related-referral-updated"]);
  });
});

describe("event parsing", () => {
  it("explains what is wrong with a malformed event body", () => {
    expect(() => parseWebhookEvent("not json")).toThrow(WebhookEventError);
    try {
      parseWebhookEvent(JSON.stringify({ EventName: "referral-updated", ResourceUri: "nope", ResourceName: "referral" }));
      expect.unreachable();
    } catch (error) {
      expect((error as WebhookEventError).issues).toEqual([
        "ResourceUri: ResourceUri must be an absolute URL",
        "ResourceChangeUtcDate: Invalid input: expected string, received undefined",
      ]);
    }
    const documented = parseWebhookEvent(
      JSON.stringify({
        EventName: "referral-updated",
        ResourceUri: "https://api.partnercenter.microsoft.com/engagements/v1/referrals/7a1e0c52-0000-4000-8000-000000000001",
        ResourceName: "referral",
        AuditUri: null,
        ResourceChangeUtcDate: "2025-03-04T11:02:17.1234567+00:00",
      }),
    );
    expect(documented.referralId).toBe("7a1e0c52-0000-4000-8000-000000000001");
  });
});
