/**
 * `npm run bench -- --store postgres --instances 1,2,3`: the same figures on the SQLite store (one
 * instance) and on PostgreSQL with 1, 2 and 3 instances behind one URL, in one run, side by side:
 * - latency p95 both ways (an opportunity shared → its referral exists and ✔ Synced is written back;
 *   a Partner Center deal → its opportunity exists; an edit of it → reflected), 50 ms added per API call;
 * - webhook events absorbed per second: signed-in Dataverse deliveries (the documented body, a new
 *   opportunity id each) over 50 keep-alive connections, spread over the instances as a load balancer
 *   would (round robin, straight to each instance so the forwarder's cost is not counted).
 * The driver, the sandboxes and every instance share this machine's cores: read the ratios.
 */
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { OpportunityColumns as C, OpportunityStandardColumns as S, SyncStatus, Tables } from "../../entities";
import { SANDBOX_TOKEN, startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { createPartnerCenterDeal, createSharableOpportunity, getReferral, patchReferral, setFaults, webApi } from "../e2e-api/story-kit";
import { BackendCluster, type StoreEngine } from "./backend-cluster";
import { StoreReader, registerBackend, settleRemote, tempFolder, warmUp } from "./backend-process";

export interface StoreBenchOptions {
  /** PostgreSQL runs, one per count (e.g. [1, 2, 3]), each against the same SQLite baseline. */
  instances: number[];
  latencyMs: number;
  opportunities: number;
  referrals: number;
  deliveries: number;
  batch: number;
}

interface Figures {
  label: string;
  crmToPcReferralP95: number;
  crmToPcSyncedP95: number;
  pcToCrmCreateP95: number;
  pcToCrmEditP95: number;
  never: number;
  absorbedPerSecond: number;
  refused: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

/** When `probe` first holds (polled every 40 ms), or null after 60 s. */
async function observe(probe: () => Promise<boolean>): Promise<number | null> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const at = Date.now();
    if (await probe().catch(() => false)) return at;
    await sleep(40);
  }
  return null;
}

async function inBatches<T>(count: number, size: number, run: (index: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += size) out.push(...(await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, k) => run(start + k)))));
  return out;
}

async function latencies(env: SandboxEnvironment, options: StoreBenchOptions, tag: string) {
  let never = 0;
  const referralExists: number[] = [];
  const synced: number[] = [];
  await inBatches(options.opportunities, options.batch, async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const written = Date.now();
    let referralId = "";
    const at = await observe(async () => {
      const { json } = await webApi(env, "GET", `${Tables.opportunity.entitySetName}(${opportunityId})?$select=${C.syncStatus},${C.referralIdentifier}`);
      referralId = String(json[C.referralIdentifier] ?? "");
      return json[C.syncStatus] === SyncStatus.Synced && referralId !== "";
    });
    if (at === null) return void never++;
    referralExists.push(Date.parse((await getReferral(env, referralId)).createdDateTime!) - written);
    synced.push(at - written);
  });
  const created: number[] = [];
  const edited: number[] = [];
  await inBatches(options.referrals, options.batch, async (i) => {
    const referral = await createPartnerCenterDeal(env, dealBody(i, tag));
    let opportunityId = "";
    const at = await observe(async () => {
      const { json } = await webApi(env, "GET", `${Tables.opportunity.entitySetName}?$select=${S.id}&$filter=${C.referralIdentifier} eq '${referral.id}'`);
      opportunityId = String((json.value as Record<string, unknown>[])[0]?.[S.id] ?? "");
      return opportunityId !== "";
    });
    if (at === null) return void never++;
    created.push(at - Date.parse(referral.createdDateTime!));
    const value = 50_000 + i;
    const patched = await editUntilAccepted(env, referral.id, [{ op: "replace", path: "/details/dealValue", value }]);
    const editedAt = await observe(async () => {
      const { json } = await webApi(env, "GET", `${Tables.opportunity.entitySetName}(${opportunityId})?$select=${S.estimatedValue}`);
      return Number(json[S.estimatedValue]) === value;
    });
    if (editedAt === null) return void never++;
    edited.push(editedAt - Date.parse(patched.updatedDateTime!));
  });
  return { crmToPcReferralP95: p95(referralExists), crmToPcSyncedP95: p95(synced), pcToCrmCreateP95: p95(created), pcToCrmEditP95: p95(edited), never };
}

async function editUntilAccepted(env: SandboxEnvironment, id: string, operations: unknown[]) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await patchReferral(env, id, operations);
    } catch (error) {
      if (attempt >= 10 || !String(error).includes("412")) throw error;
    }
  }
}

function dealBody(i: number, tag: string) {
  return {
    name: `Store bench deal ${tag} ${i}`,
    type: "Independent",
    customerProfile: {
      name: `Store bench ${tag} Customer ${i} GmbH`,
      address: { addressLine1: `Hauptstr. ${i}`, city: "Berlin", postalCode: String(10000 + (i % 9000)), country: "DE" },
      team: [{ firstName: "Jonas", lastName: `Weber ${i}`, email: `jonas.${tag}.${i}@customer.example`, phoneNumber: "+49 30 1234567" }],
    },
    consent: { consentToShareReferralWithMicrosoftSellers: false, consentToContact: false, consentToToShareInfoWithOthers: false, consentToMicrosoftToContactSpecificPartners: false },
    details: { dealValue: 1000 + i, currency: "EUR", closingDateTime: "2027-06-30T00:00:00Z", notes: `deal ${i}` },
  };
}

/** The documented Dataverse webhook body (as flood.ts sends it), for an opportunity no one has. */
function dataverseDelivery(): string {
  const id = randomUUID();
  const at = Math.floor(Date.now() / 1000) * 1000;
  return JSON.stringify({
    BusinessUnitId: randomUUID(), CorrelationId: randomUUID(), Depth: 1, InitiatingUserId: randomUUID(), IsExecutingOffline: false,
    IsInTransaction: false, IsOfflinePlayback: false, IsolationMode: 1, MessageName: "Update", Mode: 1,
    OperationCreatedOn: `/Date(${at}+0000)/`, OperationId: randomUUID(), OrganizationId: randomUUID(), OrganizationName: "contoso",
    OutputParameters: [], OwningExtension: { Id: randomUUID(), KeyAttributes: [], LogicalName: "sdkmessageprocessingstep", Name: null, RowVersion: null },
    ParentContext: null, PostEntityImages: [], PreEntityImages: [], PrimaryEntityId: id, PrimaryEntityName: "opportunity", RequestId: null,
    SecondaryEntityName: "none", SharedVariables: [], Stage: 40, UserId: randomUUID(),
    InputParameters: [{ key: "Target", value: { Attributes: [{ key: "description", value: "bench" }, { key: "modifiedon", value: `/Date(${at})/` }], Id: id, LogicalName: "opportunity" } }],
  });
}

function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

async function absorb(urls: readonly string[], key: string, deliveries: number): Promise<{ perSecond: number; refused: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  let next = 0;
  let accepted = 0;
  let refused = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < deliveries) {
        const target = new URL(`${urls[next++ % urls.length]}/webhooks/dataverse?code=${key}`);
        if ((await post(agent, target, dataverseDelivery())) === 202) accepted++;
        else refused++;
      }
    }),
  );
  agent.destroy();
  return { perSecond: accepted / ((performance.now() - started) / 1000), refused };
}

async function measure(store: StoreEngine, instances: number, options: StoreBenchOptions): Promise<Figures> {
  const label = `${store} × ${instances}`;
  log(`store bench: ${label}`);
  // The harness's writes and polling are not the service's: only the service's quota is enforced.
  const env = await startSandboxEnvironment({ startBackend: false, dataverseUnlimitedTokens: [SANDBOX_TOKEN] });
  const folder = tempFolder("pcc-store-bench-");
  const backend = await BackendCluster.create({ config: env.config, folder, instances, store });
  const reader = new StoreReader(backend.storeLocation);
  try {
    await backend.start();
    await registerBackend(env.config, backend.url);
    await setFaults(env.partnerCenter.url, { latencyMs: options.latencyMs });
    await setFaults(env.dataverse.url, { latencyMs: options.latencyMs });
    // Not measured: until each instance has read the settings and mapping rows (seeding them in an
    // empty org) its workers wait, which put ~3 s on the first batch of a single instance only.
    await warmUp(env);
    const figures = await latencies(env, options, `${store}${instances}`);
    await settleRemote(env, reader, { timeoutMs: 120_000 });
    log(`  latency done; ${options.deliveries} deliveries`);
    const urls = backend.instanceUrls();
    const absorbed = await absorb(urls, env.config.DATAVERSE_WEBHOOK_KEY, options.deliveries);
    return { label, ...figures, absorbedPerSecond: absorbed.perSecond, refused: absorbed.refused };
  } finally {
    reader.close();
    await backend.stop();
    await env.close();
    log(`  logs: ${join(folder, "serve*.log")}`);
  }
}

export async function runStoreBench(options: StoreBenchOptions): Promise<string[]> {
  const rows = [await measure("sqlite", 1, options)];
  for (const count of options.instances) rows.push(await measure("postgres", count, options));
  const base = rows[0]!;
  const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : "n/a");
  const ratio = (v: number, b: number) => (Number.isFinite(v) && b > 0 ? ` (${(v / b).toFixed(2)}×)` : "");
  const lines = [
    `Store bench: ${options.opportunities} shared opportunities, ${options.referrals} Partner Center deals + edits (${options.batch} at a time, ${options.latencyMs} ms per API call), ${options.deliveries} Dataverse deliveries over 50 connections; ratios against SQLite`,
    "| Store × instances | CRM → PC referral p95 | CRM → PC ✔ Synced p95 | PC → CRM create p95 | PC → CRM edit p95 | never arrived | events absorbed/s |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.label} | ${ms(row.crmToPcReferralP95)}${ratio(row.crmToPcReferralP95, base.crmToPcReferralP95)} | ${ms(row.crmToPcSyncedP95)}${ratio(row.crmToPcSyncedP95, base.crmToPcSyncedP95)} | ` +
        `${ms(row.pcToCrmCreateP95)}${ratio(row.pcToCrmCreateP95, base.pcToCrmCreateP95)} | ${ms(row.pcToCrmEditP95)}${ratio(row.pcToCrmEditP95, base.pcToCrmEditP95)} | ${row.never} | ` +
        `${row.absorbedPerSecond.toFixed(0)}${ratio(row.absorbedPerSecond, base.absorbedPerSecond)}${row.refused ? ` (${row.refused} refused)` : ""} |`,
    );
  }
  return lines;
}
