/**
 * Races the chaos run found, replayed one at a time: the job runs by hand (the worker pool is
 * stopped) with the sandbox clients wrapped so that the other party's write lands at the exact
 * moment that used to lose an update or dead-letter the job.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ReferralStatus, parseConflictNotice } from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import type { ReferralsClient } from "../../sync/partner-center/referrals-client";
import { isMicrosoftSide, type Referral } from "../../sync/partner-center/referral-types";
import { opportunityLinkKey, referralLinkKey, type Job, type SyncStore } from "../../sync/store";
import { CrmGateway } from "../../sync/worker/crm-gateway";
import { LinkSyncHandler } from "../../sync/worker/link-sync.handler";
import {
  C,
  S,
  createSharableOpportunity,
  getReferral,
  listReferrals,
  patchReferral,
  readOpportunity,
  sendMicrosoftReferral,
  setFaults,
  webApi,
  updateOpportunity,
  waitForSynced,
} from "./story-kit";

let env: SandboxEnvironment;
beforeAll(async () => {
  env = await startSandboxEnvironment();
});
afterAll(() => env?.close());
beforeEach(() => env.service!.pool.start());

function jobFor(opportunityId: string): Job {
  const now = Date.now();
  return {
    id: 0, linkKey: opportunityLinkKey(opportunityId), opportunityId, referralId: null, reasons: ["test"], state: "running",
    attempts: 1, nextAttemptAt: now, lastError: null, leaseOwner: null, leaseExpiresAt: null, createdAt: now, updatedAt: now,
  };
}

/** A handler like the service's, on the same store and sandboxes, with some calls wrapped. */
function handlerWith(overrides: {
  crm?: (crm: CrmGateway) => CrmGateway;
  referrals?: (referrals: ReferralsClient) => ReferralsClient;
  store?: (store: SyncStore) => SyncStore;
}): LinkSyncHandler {
  const service = env.service!;
  const crm = new CrmGateway(service.dataverse);
  return new LinkSyncHandler({
    store: overrides.store?.(service.store) ?? service.store,
    crm: overrides.crm?.(crm) ?? crm,
    referrals: overrides.referrals?.(service.referrals) ?? service.referrals,
    referralLink: (id) => `https://partner.microsoft.com/referrals/${id}`,
    logger: service.handler["deps"].logger,
  });
}

type AsyncMethod = (...args: never[]) => Promise<unknown>;
type AsyncMethodName<T> = { [K in keyof T]: T[K] extends AsyncMethod ? K : never }[keyof T];
type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;

/**
 * `target` whose `method`, on its first call that `when` accepts, first runs `first` (the other party's
 * write landing at that very moment, or a throw standing for a failure or a crash there), then calls through.
 */
function onFirstCall<T extends object, K extends AsyncMethodName<T>>(
  target: T,
  method: K,
  first: () => Promise<unknown>,
  when: (...args: ArgsOf<T[K]>) => boolean = () => true,
): T {
  const original = (target[method] as unknown as (...args: unknown[]) => Promise<unknown>).bind(target);
  let pending = true;
  const wrapped = Object.create(target) as T;
  (wrapped as Record<K, unknown>)[method] = async (...args: ArgsOf<T[K]>) => {
    if (pending && when(...args)) {
      pending = false;
      await first();
    }
    return original(...args);
  };
  return wrapped;
}

const fail = (message: string) => async (): Promise<never> => {
  throw new Error(`simulated: ${message}`);
};

/** The process is killed right after Dataverse created the opportunity, before anything else is stored. */
function killedRightAfterCreate(crm: CrmGateway, beforeCreate?: () => Promise<void>): CrmGateway {
  const wrapped = Object.create(crm) as CrmGateway;
  wrapped.createOpportunity = async (body) => {
    await beforeCreate?.();
    await crm.createOpportunity(body);
    throw new Error("simulated: the process was killed right after creating the opportunity");
  };
  return wrapped;
}

describe("races around the first share and a close", () => {
  it("a Partner Center edit made while the share's write-back to the opportunity failed is not reverted by the retry", async () => {
    await env.service!.pool.stop();
    const { opportunityId } = await createSharableOpportunity(env, { [S.description]: "Shared notes" });
    await env.dataverse.webhooksIdle();
    // First try: the referral is created, then writing its id back to the opportunity fails (a 412
    // because the seller saved again, a 503, a crash: the job is retried later).
    const handler = handlerWith({ crm: (crm) => onFirstCall(crm, "updateOpportunity", fail("the process died before writing the referral id back")) });
    await expect(handler.run(jobFor(opportunityId))).rejects.toThrow(/simulated/);
    const [referral] = await listReferrals(env, `externalReferenceId eq '${opportunityId}'`);
    expect(referral).toBeDefined();
    // Meanwhile a Partner Center user edits the new referral.
    await patchReferral(env, referral!.id, [{ op: "replace", path: "/details/notes", value: "Edited in Partner Center" }]);
    // The retry links the pair and brings the edit to the opportunity instead of pushing the old notes over it.
    await handler.run(jobFor(opportunityId));
    expect((await getReferral(env, referral!.id)).details?.notes).toBe("Edited in Partner Center");
    expect((await readOpportunity(env, opportunityId))[S.description]).toBe("Edited in Partner Center");
    expect((await readOpportunity(env, opportunityId))[C.referralIdentifier]).toBe(referral!.id);
    // A co-sell deal is shared with Microsoft's sellers in Partner Center: the opportunity (left at No)
    // takes the Yes as an update, not as a seller's withdrawal that was refused.
    const opportunity = await readOpportunity(env, opportunityId);
    expect(opportunity[C.shareWithMicrosoftSellers]).toBe(true);
    expect(String(opportunity[C.audit])).not.toContain("cannot be withdrawn");
  });

  it("a seller's save between our Partner Center write and our opportunity write is pushed, not reverted by our own write", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitForSynced(env, opportunityId);
    const referralId = synced[C.referralIdentifier] as string;
    await env.service!.pool.stop();
    await updateOpportunity(env, opportunityId, { [S.estimatedValue]: 20000 });
    // The job pushes 20000 to Partner Center; before it writes the opportunity (✔ Synced), the seller saves 30000.
    const handler = handlerWith({
      crm: (crm) => onFirstCall(crm, "updateOpportunity", () => updateOpportunity(env, opportunityId, { [S.estimatedValue]: 30000 })),
    });
    await handler.run(jobFor(opportunityId));
    expect((await getReferral(env, referralId)).details?.dealValue).toBe(30000);
    expect((await readOpportunity(env, opportunityId))[S.estimatedValue]).toBe(30000);
  });

  it("a referral closed in Partner Center between our read and our patch is a race (re-read, merge), not a dead job", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitForSynced(env, opportunityId);
    const referralId = synced[C.referralIdentifier] as string;
    await env.service!.pool.stop();
    // The seller edits the notes; before our patch reaches Partner Center, the referral is won there.
    await updateOpportunity(env, opportunityId, { [S.description]: "Edited by the seller" });
    const handler = handlerWith({
      referrals: (referrals) =>
        onFirstCall(referrals, "patch", () =>
          patchReferral(env, referralId, [
            { op: "replace", path: "/status", value: "Closed" },
            { op: "replace", path: "/substatus", value: "Won" },
          ]),
        ),
    });
    await handler.run(jobFor(opportunityId));
    const referral: Referral = await getReferral(env, referralId);
    expect(`${referral.status}/${referral.substatus}`).toBe("Closed/Won");
    const opportunity = await readOpportunity(env, opportunityId);
    expect(opportunity[C.referralStatus]).toBe(ReferralStatus.ClosedWon);
    // The closed referral accepts no edit: the seller's notes are refused, in plain words, and the form shows the truth.
    expect(String(opportunity[C.audit])).toMatch(/notes .* → Edited by the seller: the referral is Closed\/Won/);
    expect(opportunity[S.description]).toBe(referral.details?.notes);
  });

  it("two jobs of one pair under different keys (the opportunity's and the referral's) take turns: the seller's last save wins", async () => {
    const { opportunityId } = await createSharableOpportunity(env, { [S.estimatedValue]: 10000 });
    const synced = await waitForSynced(env, opportunityId);
    const referralId = synced[C.referralIdentifier] as string;
    await env.service!.pool.stop();
    await updateOpportunity(env, opportunityId, { [S.estimatedValue]: 20000 });
    // The first job's patch of 20000 is slow to reach Partner Center; meanwhile the seller saves
    // 10000 again and a job reached through the referral's key starts on the same pair.
    let releasePatch!: () => void;
    const patchHeld = new Promise<void>((resolve) => (releasePatch = resolve));
    let patchReached!: () => void;
    const reached = new Promise<void>((resolve) => (patchReached = resolve));
    const handler = handlerWith({
      referrals: (referrals) =>
        onFirstCall(referrals, "patch", async () => {
          patchReached();
          await patchHeld;
        }),
    });
    const first = handler.run(jobFor(opportunityId));
    await reached;
    await updateOpportunity(env, opportunityId, { [S.estimatedValue]: 10000 });
    const byReferral: Job = { ...jobFor(opportunityId), linkKey: referralLinkKey(referralId), opportunityId: null, referralId };
    const second = handler.run(byReferral);
    await new Promise((resolve) => setTimeout(resolve, 200));
    releasePatch();
    await Promise.all([first, second]);
    await handler.run(jobFor(opportunityId));
    expect((await readOpportunity(env, opportunityId))[S.estimatedValue]).toBe(10000);
    expect((await getReferral(env, referralId)).details?.dealValue).toBe(10000);
  });

  it("a close that fails after the merge was written keeps the merge's audit lines, and the retry closes the opportunity", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitForSynced(env, opportunityId);
    const referralId = synced[C.referralIdentifier] as string;
    await env.service!.pool.stop();
    // The seller renames the deal; Partner Center closes it as lost just before the job runs.
    await updateOpportunity(env, opportunityId, { [S.name]: "Renamed by the seller" });
    await patchReferral(env, referralId, [
      { op: "replace", path: "/status", value: "Closed" },
      { op: "replace", path: "/substatus", value: "Lost" },
      // Partner Center requires a reason to close as Lost (portal and bulk upload rules).
      { op: "add", path: "/statusReason", value: "Customer chose another vendor" },
    ]);
    const handler = handlerWith({ crm: (crm) => onFirstCall(crm, "closeOpportunity", fail("LoseOpportunity timed out")) });
    await expect(handler.run(jobFor(opportunityId))).rejects.toThrow(/simulated/);
    // The refusal of the rename is in the store's audit already, not lost with the failed close.
    const lines = await env.service!.store.listAudit(opportunityLinkKey(opportunityId));
    expect(lines.some((line) => line.action === "refused" && line.detail.includes("→ Renamed by the seller: "))).toBe(true);
    await handler.run(jobFor(opportunityId));
    expect((await readOpportunity(env, opportunityId))[S.stateCode]).toBe(2); // Lost
  });

  it("a share whose invitation of Microsoft failed invites Microsoft on the retry, once", async () => {
    await env.service!.pool.stop();
    const { opportunityId } = await createSharableOpportunity(env);
    await env.dataverse.webhooksIdle();
    const handler = handlerWith({
      referrals: (referrals) => onFirstCall(referrals, "create", fail("Partner Center answered 503 to the invitation"), (body) => Boolean(body.target?.length)),
    });
    await expect(handler.run(jobFor(opportunityId))).rejects.toThrow(/simulated/);
    const [ours] = await listReferrals(env, `externalReferenceId eq '${opportunityId}'`);
    const onEngagement = () => listReferrals(env, `engagementId eq '${ours!.engagementId}'`);
    expect((await onEngagement()).filter((r) => isMicrosoftSide(r))).toHaveLength(0);
    await handler.run(jobFor(opportunityId));
    await handler.run(jobFor(opportunityId));
    const microsoftSide = (await onEngagement()).filter((r) => isMicrosoftSide(r));
    expect(microsoftSide).toHaveLength(1);
    expect(microsoftSide[0]?.inviteContext?.assistanceRequestCode).toBe(ours!.inviteContext?.assistanceRequestCode);
  });

  it("an invitation whose answer was lost is not sent again when Partner Center lists it in a shape the connector cannot read", async () => {
    await env.service!.pool.stop();
    const { opportunityId } = await createSharableOpportunity(env);
    await env.dataverse.webhooksIdle();
    const handler = handlerWith({
      referrals: (referrals) => {
        const wrapped = Object.create(referrals) as ReferralsClient;
        let answerLost = true;
        // The invitation is created, then its answer is lost (a timeout, a crash).
        wrapped.create = async (body) => {
          const created = await referrals.create(body);
          if (answerLost && body.target?.length) {
            answerLost = false;
            throw new Error("simulated: the invitation's answer was lost");
          }
          return created;
        };
        // Microsoft's side comes back in a shape this connector cannot read.
        wrapped.pages = async function* (query) {
          for await (const page of referrals.pages(query)) {
            const theirs = page.value.filter((r) => isMicrosoftSide(r));
            yield {
              value: page.value.filter((r) => !isMicrosoftSide(r)),
              unreadable: [...page.unreadable, ...theirs.map((r) => ({ id: r.id, name: r.name ?? null, updatedDateTime: r.updatedDateTime, eTag: r.eTag, createdDateTime: r.createdDateTime, externalReferenceId: null, engagementId: r.engagementId ?? null, targetIds: (r.target ?? []).map((t) => t.id), reason: "simulated: substatus OnHold" }))],
            };
          }
        };
        return wrapped;
      },
    });
    await expect(handler.run(jobFor(opportunityId))).rejects.toThrow(/simulated/);
    await expect(handler.run(jobFor(opportunityId))).rejects.toThrow(/cannot read .*may be Microsoft's invitation, so none is sent again/);
    const [ours] = await listReferrals(env, `externalReferenceId eq '${opportunityId}'`);
    const microsoftSide = (await listReferrals(env, `engagementId eq '${ours!.engagementId}'`)).filter((r) => isMicrosoftSide(r));
    expect(microsoftSide).toHaveLength(1);
  });

  it("a crash between our opportunity write and the store's commit loses no audit line: the next sync copies it from the record", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const synced = await waitForSynced(env, opportunityId);
    const referralId = synced[C.referralIdentifier] as string;
    await env.service!.pool.stop();
    await updateOpportunity(env, opportunityId, { [S.description]: "Seller's last notes" });
    await patchReferral(env, referralId, [
      { op: "replace", path: "/status", value: "Closed" },
      { op: "replace", path: "/substatus", value: "Lost" },
      // Partner Center requires a reason to close as Lost (portal and bulk upload rules).
      { op: "add", path: "/statusReason", value: "Customer chose another vendor" },
    ]);
    const crashing = handlerWith({
      store: (store) =>
        onFirstCall(store, "commitSync", fail("the process was killed before the store committed"), (_key, commit) => commit.audit.some((line) => line.action === "refused")),
    });
    await expect(crashing.run(jobFor(opportunityId))).rejects.toThrow(/simulated/);
    const refusal = (lines: { action: string; detail: string }[]) => lines.some((l) => l.action === "refused" && l.detail.includes("→ Seller's last notes: "));
    const key = opportunityLinkKey(opportunityId);
    expect(String((await readOpportunity(env, opportunityId))[C.audit])).toContain("→ Seller's last notes: ");
    expect(refusal(await env.service!.store.listAudit(key))).toBe(false);
    await handlerWith({}).run(jobFor(opportunityId));
    expect(refusal(await env.service!.store.listAudit(key))).toBe(true);
    // Copied once, not on every later sync.
    await handlerWith({}).run(jobFor(opportunityId));
    expect((await env.service!.store.listAudit(key)).filter((l) => l.detail.includes("→ Seller's last notes: "))).toHaveLength(1);
  });

  it("an import interrupted before its base was stored keeps the seller's later decline instead of calling it a conflict Partner Center won", async () => {
    await env.service!.pool.stop();
    const incoming = await sendMicrosoftReferral(env);
    const crashing = handlerWith({ crm: killedRightAfterCreate });
    const byReferral: Job = { ...jobFor("unused"), linkKey: referralLinkKey(incoming.id), opportunityId: null, referralId: incoming.id };
    await expect(crashing.run(byReferral)).rejects.toThrow(/simulated/);
    const { json } = await webApi(env, "GET", `opportunities?$filter=${C.referralIdentifier} eq '${incoming.id}'&$select=opportunityid`);
    const opportunity = (json.value as Record<string, string>[])[0]!;
    // The seller declines it on the form (Partner Center still says New/Pending) while the backend is
    // down: its webhook is lost, so only the records themselves tell what happened.
    await setFaults(env.dataverse.url, { webhookDropRate: 1 });
    await updateOpportunity(env, opportunity.opportunityid!, { [C.referralStatus]: ReferralStatus.ClosedDeclined, [C.statusReason]: "Not our market" });
    await setFaults(env.dataverse.url, {});
    await handlerWith({}).run(jobFor(opportunity.opportunityid!));
    const referral = await getReferral(env, incoming.id);
    expect(`${referral.status}/${referral.substatus}`).toBe("Closed/Declined");
    expect((await readOpportunity(env, opportunity.opportunityid!))[C.referralStatus]).toBe(ReferralStatus.ClosedDeclined);
  });

  it("a Partner Center edit between the import's read and the opportunity's creation reaches the opportunity after a crash", async () => {
    await env.service!.pool.stop();
    const incoming = await sendMicrosoftReferral(env);
    const byReferral: Job = { ...jobFor("unused"), linkKey: referralLinkKey(incoming.id), opportunityId: null, referralId: incoming.id };
    const before = (await getReferral(env, incoming.id)).details?.notes ?? null;
    // The job read the referral; a Microsoft seller edits its notes; the opportunity is created from
    // the copy read before, and the process dies before anything else is stored.
    const crashing = handlerWith({
      crm: (crm) => killedRightAfterCreate(crm, () => patchReferral(env, incoming.id, [{ op: "add", path: "/details/notes", value: "Edited before the create" }]).then(() => undefined)),
    });
    await expect(crashing.run(byReferral)).rejects.toThrow(/simulated/);
    const { json } = await webApi(env, "GET", `opportunities?$filter=${C.referralIdentifier} eq '${incoming.id}'&$select=opportunityid,description`);
    const rows = json.value as Record<string, string | null>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.description ?? null).toBe(before);
    await handlerWith({}).run(byReferral);
    expect((await readOpportunity(env, rows[0]!.opportunityid!))[S.description]).toBe("Edited before the create");
    expect((await getReferral(env, incoming.id)).details?.notes).toBe("Edited before the create");
  });

  it("a crash between our Partner Center write and its commit does not let that older write beat the seller's newer save", async () => {
    const { opportunityId } = await createSharableOpportunity(env, { [S.estimatedValue]: 10000 });
    const synced = await waitForSynced(env, opportunityId);
    const referralId = synced[C.referralIdentifier] as string;
    await env.service!.pool.stop();
    await updateOpportunity(env, opportunityId, { [S.estimatedValue]: 20000 });
    // The job read 20000; the seller saves 30000 just before our patch of 20000 reaches Partner
    // Center; then the process dies before the store commits.
    const crashing = handlerWith({
      referrals: (referrals) => onFirstCall(referrals, "patch", () => updateOpportunity(env, opportunityId, { [S.estimatedValue]: 30000 })),
      store: (store) => onFirstCall(store, "commitSync", fail("killed after the Partner Center write, before the commit")),
    });
    await expect(crashing.run(jobFor(opportunityId))).rejects.toThrow(/simulated/);
    expect((await getReferral(env, referralId)).details?.dealValue).toBe(20000);
    await handlerWith({}).run(jobFor(opportunityId));
    expect((await getReferral(env, referralId)).details?.dealValue).toBe(30000);
    expect((await readOpportunity(env, opportunityId))[S.estimatedValue]).toBe(30000);
  });

  it("a push that landed before a crash stays known when the next push fails: the seller's return to the old value is not reverted", async () => {
    const { opportunityId } = await createSharableOpportunity(env, { [S.description]: "Shared notes" });
    const referralId = (await waitForSynced(env, opportunityId))[C.referralIdentifier] as string;
    await env.service!.pool.stop();
    // The seller's "Draft notes" reaches Partner Center; the process dies before the commit.
    await updateOpportunity(env, opportunityId, { [S.description]: "Draft notes" });
    const crashing = handlerWith({ store: (store) => onFirstCall(store, "commitSync", fail("killed after the Partner Center write, before the commit")) });
    await expect(crashing.run(jobFor(opportunityId))).rejects.toThrow(/simulated/);
    expect((await getReferral(env, referralId)).details?.notes).toBe("Draft notes");
    // The seller goes back to the shared notes; that push fails (Partner Center down).
    await updateOpportunity(env, opportunityId, { [S.description]: "Shared notes" });
    const failing = handlerWith({ referrals: (referrals) => onFirstCall(referrals, "patch", fail("Partner Center unavailable")) });
    await expect(failing.run(jobFor(opportunityId))).rejects.toThrow(/simulated/);
    // The retry still knows "Draft notes" is our write: the seller's notes go to Partner Center.
    await handlerWith({}).run(jobFor(opportunityId));
    expect((await getReferral(env, referralId)).details?.notes).toBe("Shared notes");
    expect((await readOpportunity(env, opportunityId))[S.description]).toBe("Shared notes");
  });
});


describe("field clocks", () => {
  /** Just after the start of the next second: Dataverse's modifiedon of a write then says little more than "in this second". */
  const startOfNextSecond = () => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));

  /** A shared opportunity with its notes, in sync, the workers stopped: the test runs the job by hand. */
  async function sharedPairAtRest(): Promise<{ opportunityId: string; referralId: string }> {
    const { opportunityId } = await createSharableOpportunity(env, { [S.description]: "Shared notes" });
    const synced = await waitForSynced(env, opportunityId);
    await env.service!.pool.stop();
    return { opportunityId, referralId: synced[C.referralIdentifier] as string };
  }

  /**
   * The seller saves new notes (its webhook comes in), then a Partner Center user edits them: that edit
   * is the later one, `gapMs` after (0: within the clocks' uncertainty, an order nobody can know).
   */
  async function sellerThenPartnerCenterEditNotes(opportunityId: string, referralId: string, gapMs = 0): Promise<void> {
    await updateOpportunity(env, opportunityId, { [S.description]: "Seller's notes" });
    await env.dataverse.webhooksIdle();
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    await patchReferral(env, referralId, [{ op: "replace", path: "/details/notes", value: "Partner Center's notes" }]);
  }

  /** Dataverse's whole second against Partner Center's instant, clocks up to 2 s apart: 3 s and more is a knowable order. */
  const KNOWABLE_GAP_MS = 3200;

  /** Two edits nobody can order: the policy keeps the CRM's value on both sides and its audit line says so. */
  async function expectPolicyKeptSellerNotes(opportunityId: string, referralId: string): Promise<void> {
    expect((await getReferral(env, referralId)).details?.notes).toBe("Seller's notes");
    expect((await readOpportunity(env, opportunityId))[S.description]).toBe("Seller's notes");
    const link = await env.service!.store.findLinkByOpportunityId(opportunityId);
    const conflict = (await env.service!.store.listAudit(link!.key)).find((line) => line.action === "conflict");
    expect(conflict?.detail).toContain("notes changed on both sides (CRM Seller's notes, Partner Center Partner Center's notes); kept CRM Seller's notes");
    expect(conflict?.detail).toContain("settled by policy: the CRM's value wins");
    // The section's "changed in Partner Center too" notice has the value that did not win.
    expect(parseConflictNotice((await readOpportunity(env, opportunityId))[C.conflictNotice] as string)?.fields).toEqual([
      { label: "notes", kept: "crm", otherValue: "Partner Center's notes", settledBy: "policy" },
    ]);
  }

  async function expectPartnerCenterNotesOnBothSides(opportunityId: string, referralId: string): Promise<void> {
    expect((await getReferral(env, referralId)).details?.notes).toBe("Partner Center's notes");
    expect((await readOpportunity(env, opportunityId))[S.description]).toBe("Partner Center's notes");
  }

  it("keeps when others wrote the opportunity's columns, not when we did", async () => {
    const { opportunityId } = await createSharableOpportunity(env, { [S.description]: "Shared notes" });
    await waitForSynced(env, opportunityId);
    await env.dataverse.webhooksIdle();
    const afterShare = await env.service!.store.columnChangeTimes(opportunityId);
    expect(afterShare[S.description]).toBeDefined(); // the seller's create
    // Our write-back (referral id, link, ✔ Synced) is not someone else's change.
    expect(afterShare[C.referralIdentifier.toLowerCase()]).toBeUndefined();
    expect(afterShare[C.lastSyncedOn.toLowerCase()]).toBeUndefined();
    // Dataverse's times are whole seconds: the seller's later save is told apart in a later second.
    await startOfNextSecond();
    await updateOpportunity(env, opportunityId, { [S.description]: "Seller's notes" });
    await env.dataverse.webhooksIdle();
    expect((await env.service!.store.columnChangeTimes(opportunityId))[S.description]).toBeGreaterThan(afterShare[S.description]!);
  });

  it("a seller's save our opportunity read just missed and Partner Center's edit right after it are settled by the policy: the CRM's value, audited", async () => {
    const { opportunityId, referralId } = await sharedPairAtRest();
    await startOfNextSecond();
    // Right after the job reads the opportunity, the seller saves new notes (its webhook arrives), then
    // a Partner Center user edits the notes too: Partner Center's edit is the later one.
    let raceOnce = true;
    const handler = handlerWith({
      crm: (crm) => {
        const wrapped = Object.create(crm) as CrmGateway;
        wrapped.getOpportunity = async (id) => {
          const read = await crm.getOpportunity(id);
          if (raceOnce) {
            raceOnce = false;
            await sellerThenPartnerCenterEditNotes(opportunityId, referralId);
          }
          return read;
        };
        return wrapped;
      },
    });
    await handler.run(jobFor(opportunityId));
    await expectPolicyKeptSellerNotes(opportunityId, referralId);
  });

  it("a job that came through Microsoft's side of the engagement settles the conflict as well", async () => {
    const { opportunityId, referralId } = await sharedPairAtRest();
    const ours = await getReferral(env, referralId);
    const microsoftSide = (await listReferrals(env, `engagementId eq '${ours.engagementId}'`)).find((r) => isMicrosoftSide(r));
    expect(microsoftSide).toBeDefined();
    await startOfNextSecond();
    // The job names only Microsoft's referral (a related-referral event): the pair is merged all the same.
    await sellerThenPartnerCenterEditNotes(opportunityId, referralId);
    const viaMicrosoft: Job = { ...jobFor("unused"), linkKey: referralLinkKey(microsoftSide!.id), opportunityId: null, referralId: microsoftSide!.id };
    await handlerWith({}).run(viaMicrosoft);
    await expectPolicyKeptSellerNotes(opportunityId, referralId);
  });

  it("a seller's save after Partner Center's edit of the field wins although Partner Center changed the referral again after it", async () => {
    const { opportunityId, referralId } = await sharedPairAtRest();
    // Partner Center: deal value, then the notes; the seller then saves notes too; then Partner Center
    // changes the deal value again. The referral's time is that last change's: by it alone Partner
    // Center's notes would look the later ones. Its events tell of the changes in between.
    await patchReferral(env, referralId, [{ op: "replace", path: "/details/dealValue", value: 11000 }]);
    await patchReferral(env, referralId, [{ op: "replace", path: "/details/notes", value: "Partner Center's notes" }]);
    await updateOpportunity(env, opportunityId, { [S.description]: "Seller's notes" });
    await patchReferral(env, referralId, [{ op: "replace", path: "/details/dealValue", value: 12000 }]);
    await Promise.all([env.dataverse.webhooksIdle(), env.partnerCenter.webhooksIdle()]);
    await handlerWith({}).run(jobFor(opportunityId));
    expect((await getReferral(env, referralId)).details?.notes).toBe("Seller's notes");
    const opportunity = await readOpportunity(env, opportunityId);
    expect(opportunity[S.description]).toBe("Seller's notes");
    expect(opportunity[S.estimatedValue]).toBe(12000);
  });

  it("Partner Center's edit 3 s after a seller's save whose webhook is still on its way is known to be the later one, and wins", async () => {
    const { opportunityId, referralId } = await sharedPairAtRest();
    await startOfNextSecond();
    const before = await env.service!.store.columnChangeTimes(opportunityId);
    await sellerThenPartnerCenterEditNotes(opportunityId, referralId, KNOWABLE_GAP_MS);
    // The job's first look at the write times misses the seller's save (its webhook "still on its way"):
    // by modifiedon's second alone the seller's notes would read as the later change.
    let webhookLate = true;
    const handler = handlerWith({
      store: (store) => {
        const wrapped = Object.create(store) as SyncStore;
        wrapped.columnChangeTimes = async (id) => {
          if (!webhookLate) return store.columnChangeTimes(id);
          webhookLate = false;
          return before;
        };
        return wrapped;
      },
    });
    await handler.run(jobFor(opportunityId));
    await expectPartnerCenterNotesOnBothSides(opportunityId, referralId);
  });
});
