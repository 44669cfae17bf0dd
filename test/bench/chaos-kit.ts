/**
 * The fault-injection convergence run behind `npm run chaos` and test/chaos (short version).
 *
 * Random operations from both sides (create, edit each mapped field, accept, decline, win, lose,
 * stop sync) against the two sandboxes with faults on (5xx, 429 + Retry-After, 412 races,
 * duplicated / dropped / reordered webhooks), while the backend (`cosell serve`, a separate process)
 * is killed with SIGKILL and restarted on the same store file. Then faults off, reconcile, settle,
 * and the figures: pairs converged, duplicates, lost updates, audit lines per applied change, time
 * to converge.
 *
 * Operations on one pair run one at a time (the driver knows the order of its own writes, which is
 * what "the last write" means); different pairs run concurrently.
 *
 * Real semantics: Dataverse's delivery rule, whole-second times on a clock that may be offset from
 * the backend's. A last write that did not survive is then classified by the times the two services
 * themselves reported for it and for the competing write that won: *knowable* (those times prove the
 * true order, provenOrder) is a lost update; otherwise the conflict policy's, which must show in the
 * final values (the CRM's value kept) and in an audit line saying it was settled by policy.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CurrencyColumns, OpportunityColumns as C, OpportunityStandardColumns as S, ReferralStatus, Tables } from "../../entities";
import { startSandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import {
  FIELD_LABELS,
  MAPPED_FIELD_NAMES,
  formatFieldValue,
  provenOrder,
  opportunityToMappedFields,
  opportunityUpdateFromMerge,
  referralPatchOperations,
  referralToMappedFields,
  sameFieldValue,
  type CurrencyRef,
  type MappedFieldName,
  type MappedFields,
} from "../../sync/engine";
import { isMicrosoftSide, type Referral } from "../../sync/partner-center/referral-types";
import { createDataverseClient } from "../../sync/service/sync-service";
import { SANDBOX_TOKEN } from "../../sandbox/environment/sandbox-environment";
import { StoreReader, registerBackend, settleRemote, tempFolder } from "./backend-process";
import { BackendCluster, type StoreEngine } from "./backend-cluster";
import { seededRandom } from "../support/seeded-random";

export interface ChaosOptions {
  operations: number;
  restarts: number;
  seed?: number;
  /** Operations in flight at once (on different pairs). */
  concurrency?: number;
  /** How long to wait for convergence after the faults stop. */
  convergeTimeoutMs?: number;
  log?: (line: string) => void;
  /** The Dataverse org's clock offset from the backend's (ms), e.g. ±2000. */
  dataverseClockOffsetMs?: number;
  /** `redeliver`: the stand-in's old, kinder webhook retries instead of Dataverse's rule (for comparison only). */
  dataverseWebhookDelivery?: "dataverse" | "redeliver";
  /** Dataverse's service protection limits (default: the documented ones; false: none). */
  dataverseServiceProtection?: false;
  /** Backend instances behind one URL (several need the PostgreSQL store); each restart SIGKILLs a random one. */
  instances?: number;
  store?: StoreEngine;
  /** Restart the PostgreSQL server itself once, 40% into the operations (PostgreSQL store only). */
  restartDatabase?: boolean;
}

export interface ChaosFigures {
  operations: number;
  operationsByKind: Record<string, number>;
  restarts: number;
  /** Instances behind the URL, the store engine, and how often PostgreSQL itself was restarted. */
  instances: number;
  store: StoreEngine;
  databaseRestarts: number;
  /** Instances that exited on their own and were started again by the kit (as a restart policy would). */
  crashes: number;
  /** Webhook deliveries the one URL handed to each instance (several instances only). */
  forwarded: Record<string, number>;
  pairs: number;
  pairsChecked: number;
  pairsConverged: number;
  /** `sync`: the opportunity's switch, sync status and error as the run ended (why a pair may not have moved). */
  divergent: { pair: string; fields: string[]; sync?: string }[];
  duplicates: number;
  /** Knowable lost updates: last writes the services' own times put after the value that won, plus policy choices not applied or not audited. */
  lostUpdates: number;
  lost: { pair: string; field: string; expected: unknown; crm: unknown; partnerCenter: unknown; why: string }[];
  /** Last writes overruled by the conflict policy because the services' times could not order them, each checked against its audit line. */
  settledByPolicy: number;
  /** Conflict lines in the store's audit that say the policy settled them (every such conflict, not only those that overruled a last write). */
  policyConflictLines: number;
  /** Writes the driver made and saw succeed (edits and status moves). */
  appliedChanges: number;
  /** Lines on the records' audit columns (each record keeps its newest ~200). */
  auditLines: number;
  /**
   * Driver writes that crossed to the other side, as the backend's store audit shows them: a write
   * counts when a field-change line (updated / conflict / refused) of its link names its value as
   * the new one (a write overwritten by the next one before the backend saw it never crosses).
   */
  crossedChanges: number;
  /** Field-change lines in the store's audit per crossed change: 1.00 = one line per change, none extra. */
  auditLinesPerChange: number;
  /** Field-change lines in the store's audit that name no value the driver wrote (echo, ping-pong, normalization). */
  unexplainedAuditLines: number;
  /** Last writes Partner Center's rules refused (edit of a referral closed meanwhile), with the refusal in the audit. */
  refusedByRules: number;
  timeToConvergeMs: number | null;
  runMs: number;
  deadJobs: number;
  /** Lines in the store's full audit log (the record keeps the newest ~200 per opportunity). */
  storeAuditLines: number;
}

export const CHAOS_FAULTS = {
  serverErrorRate: 0.1,
  throttleRate: 0.05,
  retryAfterSeconds: 1,
  preconditionRaceRate: 0.05,
  webhookDuplicateRate: 0.05,
  webhookDropRate: 0.05,
  webhookReorderRate: 0.03,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fields a seller or a Partner Center user edits (status moves through accept/decline/win/lose). */
// The help asked of Microsoft is read-only once chosen (Partner Center's rule): neither side edits it.
const EDITABLE: MappedFieldName[] = ["name", "dealValue", "currency", "closingDate", "notes", "solutionIds"];
/** Fields compared for convergence. */
const COMPARED: MappedFieldName[] = MAPPED_FIELD_NAMES.filter((f) => f !== "statusReason" && f !== "shareWithMicrosoftSellers");

export interface Pair {
  label: string;
  origin: "crm" | "partner-center" | "microsoft";
  opportunityId: string | null;
  referralId: string | null;
  /** Last value the driver wrote per field, on either side. */
  lastWrite: Map<MappedFieldName, unknown>;
  /**
   * Every write the driver made and saw succeed, in order: what "the last write" is read from.
   * `reportedAt`: the write's time as its service reported it (Dataverse's modifiedon, whole seconds
   * on its own clock; Partner Center's updatedDateTime), null when not known.
   */
  journal: { at: string; side: "crm" | "pc"; field: MappedFieldName; value: unknown; reportedAt: number | null }[];
  frozen: "stopped" | "closed" | null;
  busy: boolean;
  incoming: boolean;
  accepted: boolean;
}

class DriverError extends Error {}

/** Writes answer with the record, so the driver learns the write's time as the service reports it. */
const RETURN_IT = { Prefer: "return=representation" };
const reportedTime = (value: unknown): number | null => (typeof value === "string" && !Number.isNaN(Date.parse(value)) ? Date.parse(value) : null);

/** One HTTP call of a person (seller or Partner Center user): waits out 429/503 like a browser would retry. */
async function call(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { Authorization: `Bearer ${SANDBOX_TOKEN}`, "Content-Type": "application/json", "OData-Version": "4.0", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      if (attempt > 20) throw error;
      await sleep(50);
      continue;
    }
    const text = await response.text();
    // Dataverse's service protection limit (its refusals carry x-ms-ratelimit-* headers; injected 429s
    // do not) is shared here by the driver and every backend instance (the stand-in's default user):
    // with several instances a person waits it out, as long as it takes, after its Retry-After.
    const protectionLimit = response.status === 429 && response.headers.has("x-ms-ratelimit-burst-remaining-xrm-requests");
    if ((response.status === 429 || response.status === 503) && (attempt <= 30 || (protectionLimit && attempt <= 600))) {
      const retryAfterMs = Number(response.headers.get("retry-after") ?? 0) * 1000;
      await sleep(response.status === 429 ? (protectionLimit ? Math.min(Math.max(retryAfterMs, 200), 30_000) : 200) : 30);
      continue;
    }
    if (!response.ok) throw new DriverError(`${method} ${url} → ${response.status}: ${text.slice(0, 300)}`);
    return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
  }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosFigures> {
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed ?? 20261125);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const started = Date.now();

  const env = await startSandboxEnvironment({
    startBackend: false,
    dataverseClockOffsetMs: options.dataverseClockOffsetMs,
    dataverseWebhookDelivery: options.dataverseWebhookDelivery,
    dataverseServiceProtection: options.dataverseServiceProtection,
  });
  const folder = tempFolder("pcc-chaos-");
  const backend = await BackendCluster.create({
    config: env.config,
    folder,
    instances: options.instances ?? 1,
    store: options.store ?? "sqlite",
    env: { RECONCILE_INTERVAL_SECONDS: 5, MAX_ATTEMPTS: 12, ...(process.env.CHAOS_LOG_LEVEL ? { LOG_LEVEL: process.env.CHAOS_LOG_LEVEL } : {}) },
    // Its own source: which instance dies must not change the operations a seed stands for.
    random: seededRandom((options.seed ?? 20261125) + 1),
  });
  const store = new StoreAudit(backend.storeLocation);
  log(`chaos: store ${backend.storeLocation}, ${backend.size} instance(s), backend logs ${join(folder, "serve*.log")}`);
  const dv = env.dataverse.apiUrl;
  const pc = `${env.partnerCenter.url}/v1.0/engagements/referrals`;
  const dataverseClient = createDataverseClient(env.config);

  try {
    await backend.start();
    await registerBackend(env.config, backend.url);
    const currencies: CurrencyRef[] = ((await call(`${dv}/${Tables.transactionCurrency.entitySetName}?$select=${CurrencyColumns.isoCode}`, "GET")).json.value as Record<string, string>[]).map(
      (row) => ({ id: row[Tables.transactionCurrency.primaryId]!, isoCode: row[CurrencyColumns.isoCode]! }),
    );
    const ctx = { currencies };
    const currencyId = (iso: string) => currencies.find((c) => c.isoCode === iso)!.id;

    // A few customers to share opportunities for.
    const accounts: string[] = [];
    for (let i = 0; i < 5; i++) {
      const account = await call(`${dv}/${Tables.account.entitySetName}`, "POST", { name: `Chaos Customer ${i} S.p.A.`, address1_country: "IT", address1_city: "Milano", address1_postalcode: `2010${i}` });
      const accountId = /\(([0-9a-f-]{36})\)/i.exec(account.headers.get("odata-entityid") ?? "")![1]!;
      await call(`${dv}/${Tables.contact.entitySetName}`, "POST", {
        firstname: "Giulia",
        lastname: `Rossi ${i}`,
        emailaddress1: `giulia.${i}@chaos-customer.example`,
        [`parentcustomerid_account@odata.bind`]: `/${Tables.account.entitySetName}(${accountId})`,
      });
      accounts.push(accountId);
    }

    await fetch(`${env.partnerCenter.url}/_sandbox/faults`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(CHAOS_FAULTS) });
    await fetch(`${env.dataverse.url}/_sandbox/faults`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(CHAOS_FAULTS) });

    const pairs: Pair[] = [];
    const byKind: Record<string, number> = {};
    let appliedChanges = 0;
    let counter = 0;
    const newPair = (origin: Pair["origin"], ids: { opportunityId?: string; referralId?: string }): Pair => {
      const pair: Pair = { label: `${origin}-${++counter}`, origin, opportunityId: ids.opportunityId ?? null, referralId: ids.referralId ?? null, lastWrite: new Map(), journal: [], frozen: null, busy: false, incoming: origin === "microsoft", accepted: false };
      pairs.push(pair);
      return pair;
    };

    const readOpportunity = async (id: string) => (await call(`${dv}/${Tables.opportunity.entitySetName}(${id})`, "GET")).json;
    const readReferral = async (id: string) => (await call(`${pc}/${id}`, "GET")).json as unknown as Referral;
    /** The other side's id, once the backend has made it (null until then). */
    const resolve = async (pair: Pair): Promise<void> => {
      if (pair.opportunityId && !pair.referralId) {
        const id = (await readOpportunity(pair.opportunityId))[C.referralIdentifier];
        if (typeof id === "string" && id) pair.referralId = id;
      } else if (pair.referralId && !pair.opportunityId) {
        const rows = (await call(`${dv}/${Tables.opportunity.entitySetName}?$select=${S.id}&$filter=${C.referralIdentifier} eq '${pair.referralId}'`, "GET")).json.value as Record<string, string>[];
        if (rows[0]) pair.opportunityId = rows[0][S.id]!;
      }
    };

    const valueFor = (field: MappedFieldName): unknown => {
      const n = Math.floor(random() * 1_000_000);
      switch (field) {
        case "name":
          return `Chaos deal ${n}`;
        case "dealValue":
          return 1000 + (n % 100_000);
        case "currency":
          return pick(["EUR", "USD", "GBP"]);
        case "closingDate":
          return `2027-${String(1 + (n % 12)).padStart(2, "0")}-${String(1 + (n % 28)).padStart(2, "0")}`;
        case "notes":
          return `Chaos note ${n}`;
        case "helpCode":
          return pick(["WorkloadSpecificValueProposition", "CustomerTechnicalArchitecture", "ProofOfConceptOrDemo", "GeneralOrOther"]);
        case "solutionIds":
          return [pick(["SOL-12345-ABC", "SOL-22222-XYZ", "SOL-33333-QRS"])];
        default:
          throw new Error(`not editable: ${field}`);
      }
    };

    // An edit changes the value, as a person's does: a form sends only the columns that changed, so
    // "saving" the value a field already holds is no write at all (and no three-way merge can see it).
    const changedValue = (field: MappedFieldName, current: MappedFields): unknown => {
      for (let tries = 0; ; tries++) {
        const value = valueFor(field);
        if (tries >= 20 || !sameFieldValue(field, value as never, current[field])) return value;
      }
    };
    const editCrm = async (pair: Pair, field: MappedFieldName): Promise<{ value: unknown; reportedAt: number | null }> => {
      const record = await readOpportunity(pair.opportunityId!);
      const current = opportunityToMappedFields(record, ctx);
      const value = changedValue(field, current);
      const next = { ...current, [field]: value } as MappedFields;
      const { body } = opportunityUpdateFromMerge({ [field]: value } as Partial<MappedFields>, next, record, ctx);
      delete body[C.referralStatus];
      const written = await call(`${dv}/${Tables.opportunity.entitySetName}(${pair.opportunityId})?$select=${S.modifiedOn}`, "PATCH", body, { "If-Match": "*", ...RETURN_IT });
      return { value, reportedAt: reportedTime(written.json[S.modifiedOn]) };
    };
    /** The referral patched as a Partner Center user would; its time as Partner Center reports it. */
    const patchPc = async (pair: Pair, build: (current: Referral) => unknown[]): Promise<number | null> => {
      for (let attempt = 1; ; attempt++) {
        const current = await readReferral(pair.referralId!);
        try {
          const written = await call(`${pc}/${pair.referralId}`, "PATCH", build(current), { "If-Match": current.eTag, ...RETURN_IT });
          return reportedTime(written.json.updatedDateTime);
        } catch (error) {
          if (attempt >= 20 || !String(error).includes("→ 412")) throw error;
        }
      }
    };

    const kinds = ["create", "edit", "edit", "edit", "edit", "edit", "edit", "edit", "accept", "decline", "win", "lose", "stop"] as const;
    const runOperation = async (): Promise<void> => {
      let kind: (typeof kinds)[number] = pairs.length < 6 ? "create" : pick(kinds);
      const openPairs = () => pairs.filter((p) => !p.busy && !p.frozen && (!p.incoming || p.accepted));
      if (kind !== "create" && openPairs().length === 0) kind = "create";
      if (kind === "create") {
        const origin = pick(["crm", "crm", "partner-center", "microsoft"] as const);
        byKind[`create (${origin})`] = (byKind[`create (${origin})`] ?? 0) + 1;
        if (origin === "crm") {
          const n = Math.floor(random() * 1_000_000);
          const body = {
            [S.name]: `Chaos opportunity ${n}`,
            [S.estimatedValue]: 10_000 + (n % 1000),
            [S.estimatedCloseDate]: "2027-03-31",
            [S.description]: `Chaos ${n}`,
            [`${S.transactionCurrency}@odata.bind`]: `/${Tables.transactionCurrency.entitySetName}(${currencyId("EUR")})`,
            [`${S.parentAccount}@odata.bind`]: `/${Tables.account.entitySetName}(${pick(accounts)})`,
            [C.syncWithPartnerCenter]: true,
            [C.shareWithMicrosoftSellers]: true,
            [C.howCanMicrosoftHelp]: 581200002,
            [C.products]: "SOL-12345-ABC",
          };
          const created = await call(`${dv}/${Tables.opportunity.entitySetName}`, "POST", body);
          newPair("crm", { opportunityId: /\(([0-9a-f-]{36})\)/i.exec(created.headers.get("odata-entityid") ?? "")![1]! });
        } else if (origin === "partner-center") {
          const n = Math.floor(random() * 1_000_000);
          const created = await call(pc, "POST", {
            name: `Chaos PC deal ${n}`,
            type: "Independent",
            customerProfile: { name: `Chaos PC Customer ${n % 7} GmbH`, address: { addressLine1: "Hauptstr. 1", city: "Berlin", postalCode: `1011${n % 7}`, country: "DE" } },
            consent: { consentToShareReferralWithMicrosoftSellers: false, consentToContact: false, consentToToShareInfoWithOthers: false, consentToMicrosoftToContactSpecificPartners: false },
            details: { dealValue: 20_000 + (n % 1000), currency: "EUR", closingDateTime: "2027-06-30T00:00:00Z", notes: `PC ${n}` },
          });
          newPair("partner-center", { referralId: String(created.json.id) });
        } else {
          const created = await call(`${env.partnerCenter.url}/_sandbox/microsoft/referrals`, "POST", {});
          newPair("microsoft", { referralId: String(created.json.id) });
        }
        return;
      }
      if (kind === "accept" || kind === "decline") {
        // Microsoft's referrals reach the driver as a referral id only: find their opportunity (the
        // backend imports them) so they can be accepted or declined from either side.
        for (const p of pairs) if (p.incoming && !p.accepted && !p.frozen && !p.busy && !p.opportunityId) await resolve(p).catch(() => undefined);
      }
      // Computed after the awaits above: a pair another operation took meanwhile is busy (or closed).
      const open = openPairs();
      const linkedOnly = (list: Pair[]) => list.filter((p) => p.opportunityId !== null && p.referralId !== null);
      let candidates =
        kind === "accept" || kind === "decline"
          ? linkedOnly(pairs.filter((p) => !p.busy && !p.frozen && p.incoming && !p.accepted))
          : kind === "edit"
            ? open
            : linkedOnly(open);
      if (candidates.length === 0) {
        kind = "edit";
        candidates = open;
      }
      if (candidates.length === 0) return runOperation();
      const pair = pick(candidates);
      pair.busy = true;
      try {
        await resolve(pair);
        byKind[kind] = (byKind[kind] ?? 0) + 1;
        const side = !pair.opportunityId ? "pc" : !pair.referralId ? "crm" : pick(["crm", "pc"] as const);
        if (kind === "edit") {
          const field = pick(EDITABLE);
          let value: unknown;
          let reportedAt: number | null;
          if (side === "crm") ({ value, reportedAt } = await editCrm(pair, field));
          else {
            reportedAt = await patchPc(pair, (current) => {
              value = changedValue(field, referralToMappedFields(current));
              return referralPatchOperations({ [field]: value } as Partial<MappedFields>, current);
            });
          }
          pair.lastWrite.set(field, value);
          pair.journal.push({ at: new Date().toISOString(), side, field, value, reportedAt });
          appliedChanges++;
          return;
        }
        if (kind === "stop") {
          await call(`${dv}/${Tables.opportunity.entitySetName}(${pair.opportunityId})`, "PATCH", { [C.syncWithPartnerCenter]: false }, { "If-Match": "*" });
          pair.frozen = "stopped";
          return;
        }
        const target = { accept: { status: "Active", substatus: "Accepted" }, decline: { status: "Closed", substatus: "Declined" }, win: { status: "Closed", substatus: "Won" }, lose: { status: "Closed", substatus: "Lost" } }[kind];
        let reportedAt: number | null = null;
        if (side === "crm") {
          if (kind === "win" || kind === "lose") {
            // The seller gives the reason Partner Center needs (to lose), then closes. The close action
            // answers nothing: its time is read at once (the backend's own write may move it on, rarely).
            if (kind === "lose") await call(`${dv}/${Tables.opportunity.entitySetName}(${pair.opportunityId})`, "PATCH", { [C.statusReason]: "Customer chose another partner" }, { "If-Match": "*" });
            await retryingTransient(() => (kind === "win" ? dataverseClient.winOpportunity(pair.opportunityId!) : dataverseClient.loseOpportunity(pair.opportunityId!)));
            reportedAt = reportedTime((await readOpportunity(pair.opportunityId!))[S.modifiedOn]);
          } else {
            const written = await call(`${dv}/${Tables.opportunity.entitySetName}(${pair.opportunityId})?$select=${S.modifiedOn}`, "PATCH", {
              [C.referralStatus]: kind === "accept" ? ReferralStatus.ActiveAccepted : ReferralStatus.ClosedDeclined,
              ...(kind === "decline" ? { [C.statusReason]: "Customer chose another partner" } : {}),
            }, { "If-Match": "*", ...RETURN_IT });
            reportedAt = reportedTime(written.json[S.modifiedOn]);
          }
        } else {
          reportedAt = await patchPc(pair, () => [
            { op: "replace", path: "/status", value: target.status },
            { op: "replace", path: "/substatus", value: target.substatus },
            ...(kind === "decline" || kind === "lose" ? [{ op: "add", path: "/statusReason", value: "Customer chose another partner" }] : []),
          ]);
        }
        pair.lastWrite.set("status", target);
        pair.journal.push({ at: new Date().toISOString(), side, field: "status", value: target, reportedAt });
        appliedChanges++;
        if (kind === "accept") pair.accepted = true;
        else pair.frozen = "closed";
      } catch (error) {
        // A move the current state forbids (e.g. the other side closed it meanwhile) is a refused
        // operation, not a divergence: nothing was written.
        if (!(error instanceof DriverError) && !String(error).includes("→ 4")) throw error;
        byKind[`${kind} refused`] = (byKind[`${kind} refused`] ?? 0) + 1;
      } finally {
        pair.busy = false;
      }
    };

    // The operations, with the backend killed and restarted evenly across them.
    const restartAt = new Set(Array.from({ length: options.restarts }, (_, i) => Math.floor(((i + 1) * options.operations) / (options.restarts + 1))));
    const databaseRestartAt = options.restartDatabase ? Math.floor(options.operations * 0.4) : -1;
    let done = 0;
    let nextIndex = 0;
    const worker = async () => {
      for (let i = nextIndex++; i < options.operations; i = nextIndex++) {
        if (restartAt.has(i)) {
          const which = await backend.restart();
          log(`  op ${i}: SIGKILLed ${backend.size > 1 ? `instance ${which}` : "the backend"} and started it again`);
        }
        if (i === databaseRestartAt) {
          log(`  op ${i}: restarting PostgreSQL itself`);
          await backend.restartDatabase();
        }
        await runOperation();
        done++;
        if (done % 200 === 0) log(`  ${done}/${options.operations} operations`);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 6 }, worker));

    // Faults off, reconcile (runs every 5 s and at start), settle, then check until converged.
    await fetch(`${env.partnerCenter.url}/_sandbox/faults`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: "{}" });
    await fetch(`${env.dataverse.url}/_sandbox/faults`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: "{}" });
    const faultsOff = Date.now();
    log(`  ${options.operations} operations done; faults off, waiting for convergence`);
    const timeout = options.convergeTimeoutMs ?? 120_000;
    let figures = await check();
    while (figures.pairsConverged < figures.pairsChecked || figures.lostUpdates > 0 || figures.duplicates > 0) {
      if (Date.now() - faultsOff > timeout) break;
      await sleep(2000);
      await settleRemote(env, store, { timeoutMs: 60_000 }).catch(() => undefined);
      figures = await check();
    }
    const converged = figures.pairsConverged === figures.pairsChecked && figures.lostUpdates === 0 && figures.duplicates === 0;
    const storeAuditLines = store.auditLines();
    const policyConflictLines = store.policyConflictLines();
    const accounting = store.account(pairs);
    const dump = join(folder, "pairs.json");
    writeFileSync(dump, JSON.stringify({ pairs, lost: figures.lost, divergent: figures.divergent, unexplained: accounting.unexplained }, null, 1));
    log(`  driver journal and lost updates: ${dump}`);
    return {
      ...figures,
      operations: options.operations,
      operationsByKind: byKind,
      restarts: backend.restarts,
      instances: backend.size,
      store: options.store ?? "sqlite",
      databaseRestarts: backend.databaseRestarts,
      crashes: backend.crashes,
      forwarded: backend.forwarded(),
      appliedChanges,
      crossedChanges: accounting.crossed,
      auditLinesPerChange: accounting.crossed ? accounting.lines / accounting.crossed : 0,
      unexplainedAuditLines: accounting.unexplained.length,
      timeToConvergeMs: converged ? Date.now() - faultsOff : null,
      runMs: Date.now() - started,
      deadJobs: store.outstanding().dead,
      storeAuditLines,
      policyConflictLines,
    };

    async function check() {
      await resolveAll();
      const opportunities = await listAll(`${dv}/${Tables.opportunity.entitySetName}`);
      const referrals: Referral[] = [];
      for (let next: string | undefined = pc; next; ) {
        const page = (await call(next.startsWith("http") ? next : `${env.partnerCenter.url}${next}`, "GET")).json;
        referrals.push(...(page.value as Referral[]));
        next = page["@odata.nextLink"] as string | undefined;
      }
      const ours = referrals.filter((r) => !isMicrosoftSide(r));
      const perReferral = countBy(opportunities.map((o) => o[C.referralIdentifier]).filter((id): id is string => typeof id === "string" && id !== ""));
      const perOpportunity = countBy(ours.map((r) => r.externalReferenceId).filter((id): id is string => typeof id === "string" && id !== ""));
      const duplicates = [...perReferral.values(), ...perOpportunity.values()].filter((n) => n > 1).length;
      const opportunityById = new Map(opportunities.map((o) => [String(o[S.id]), o]));
      const referralById = new Map(referrals.map((r) => [r.id, r]));
      let checked = 0;
      let converged = 0;
      const divergent: ChaosFigures["divergent"] = [];
      const lost: ChaosFigures["lost"] = [];
      const refused: string[] = [];
      let settledByPolicy = 0;
      let auditLines = 0;
      for (const o of opportunities) auditLines += typeof o[C.audit] === "string" ? (o[C.audit] as string).split("\n").filter((l) => l.trim()).length : 0;
      for (const pair of pairs) {
        if (pair.frozen === "stopped") continue;
        const o = pair.opportunityId ? opportunityById.get(pair.opportunityId) : undefined;
        const r = pair.referralId ? referralById.get(pair.referralId) : undefined;
        checked++;
        if (!o || !r) {
          divergent.push({ pair: pair.label, fields: [!o ? "no opportunity" : "no referral"] });
          continue;
        }
        const crm = opportunityToMappedFields(o, ctx);
        const partnerCenter = referralToMappedFields(r);
        const crmSide = crm.status === null ? { ...crm, status: partnerCenter.status } : crm;
        const differing = COMPARED.filter((f) => !sameFieldValue(f, crmSide[f], partnerCenter[f]));
        if (differing.length === 0) converged++;
        else {
          const sync = `switch ${String(o[C.syncWithPartnerCenter])}, status ${String(o[C.syncStatus])}, error ${JSON.stringify(o[C.syncError] ?? null)}, last synced ${String(o[C.lastSyncedOn])}`;
          divergent.push({ pair: pair.label, fields: differing.map((f) => `${f}: ${JSON.stringify(crmSide[f])} ≠ ${JSON.stringify(partnerCenter[f])}`), sync });
        }
        for (const [field, expected] of pair.lastWrite) {
          const want = normalize(field, expected);
          if (!sameFieldValue(field, crmSide[field], want as never) || !sameFieldValue(field, partnerCenter[field], want as never)) {
            // Partner Center's rules (a closed referral accepts no update, status transitions) may
            // refuse a seller's edit that reached the backend after the referral closed: not lost
            // when the backend's audit names that very refusal.
            if (store.refused(pair, field, want)) {
              refused.push(`${pair.label}.${field}`);
              continue;
            }
            const verdict = classifyOverruled(pair, field, crmSide[field], partnerCenter[field]);
            if (verdict.kind === "policy" && store.settledByPolicy(pair, field, crmSide[field])) {
              settledByPolicy++;
              continue;
            }
            const why = verdict.kind === "policy" ? `${verdict.why}; but no audit line says the policy kept the CRM's value` : verdict.why;
            lost.push({ pair: pair.label, field, expected, crm: crmSide[field], partnerCenter: partnerCenter[field], why });
          }
        }
      }
      return { pairs: pairs.length, pairsChecked: checked, pairsConverged: converged, divergent, duplicates, lostUpdates: lost.length, lost, settledByPolicy, refusedByRules: refused.length, auditLines };
    }

    async function resolveAll() {
      for (const pair of pairs) if (!pair.opportunityId || !pair.referralId) await resolve(pair).catch(() => undefined);
    }
  } finally {
    store.close();
    await backend.stop();
    await env.close();
  }

  async function listAll(first: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for (let next: string | undefined = first; next; ) {
      const page = (await call(next, "GET")).json;
      rows.push(...(page.value as Record<string, unknown>[]));
      next = page["@odata.nextLink"] as string | undefined;
    }
    return rows;
  }
}

/**
 * Why a pair's last write of `field` is not what both sides hold. `policy`: the value kept is the
 * CRM's, written before the last write on the other side, and the two writes' times as their services
 * reported them do not prove which came last (a tie): the conflict policy's to settle. Anything else
 * is a knowable lost update: the times proved the last write the later one, or the value kept is no
 * competing write of the other side's.
 */
export function classifyOverruled(pair: Pair, field: MappedFieldName, crm: unknown, partnerCenter: unknown): { kind: "knowable" | "policy"; why: string } {
  const writes = pair.journal.filter((w) => w.field === field);
  const last = writes.at(-1);
  if (!last) return { kind: "knowable", why: "no write of the field in the journal" };
  if (!sameFieldValue(field, crm as never, partnerCenter as never)) return { kind: "knowable", why: "the sides differ" };
  const kept = writes.slice(0, -1).reverse().find((w) => sameFieldValue(field, normalize(field, w.value) as never, crm as never));
  if (!kept) return { kind: "knowable", why: "the value kept is no write of the driver's" };
  if (kept.side === last.side) return { kind: "knowable", why: `an older write of the same side (${kept.side}) won` };
  if (kept.reportedAt === null || last.reportedAt === null) return { kind: "knowable", why: "a write's reported time is unknown" };
  const [crmAt, pcAt] = last.side === "crm" ? [last.reportedAt, kept.reportedAt] : [kept.reportedAt, last.reportedAt];
  const order = provenOrder(crmAt, pcAt);
  const times = `CRM ${new Date(crmAt).toISOString()}, Partner Center ${new Date(pcAt).toISOString()}`;
  if (order === (last.side === "crm" ? "crm" : "partnerCenter")) return { kind: "knowable", why: `reported times prove the last write later (${times})` };
  if (order === null && kept.side === "crm") return { kind: "policy", why: `a tie by the reported times (${times}), the CRM's value kept` };
  return { kind: "knowable", why: `${order === null ? "a tie" : "reported times in the wrong order"} (${times}) settled for ${kept.side}, not as the policy says` };
}

/** The seller's Close dialog tries again after a 503/429, as `call` does for plain requests. */
async function retryingTransient(action: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (attempt > 30 || (status !== 503 && status !== 429)) throw error;
      await sleep(50);
    }
  }
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v.toLowerCase(), (counts.get(v.toLowerCase()) ?? 0) + 1);
  return counts;
}

/** A value as the driver wrote it, in the mapped form (upper-cased ids, status pair). */
function normalize(field: MappedFieldName, value: unknown): unknown {
  if (field === "solutionIds") return (value as string[]).map((s) => s.toUpperCase()).sort();
  return value;
}

export function formatChaosFigures(f: ChaosFigures): string[] {
  const ok = f.pairsConverged === f.pairsChecked && f.duplicates === 0 && f.lostUpdates === 0;
  return [
    `Chaos: ${f.operations} operations, ${f.restarts} SIGKILL restarts, faults ${JSON.stringify(CHAOS_FAULTS)}`,
    `  backend             ${f.instances} instance(s) on ${f.store}${f.databaseRestarts ? `, PostgreSQL restarted ${f.databaseRestarts}× mid-run` : ""}; ${f.crashes} exit(s) on their own, restarted${Object.keys(f.forwarded).length ? `; webhooks per instance: ${Object.entries(f.forwarded).map(([k, n]) => `${k} ${n}`).join(" · ")}` : ""}`,
    `  operations          ${Object.entries(f.operationsByKind).sort().map(([k, n]) => `${k} ${n}`).join(" · ")}`,
    `  pairs converged     ${f.pairsConverged}/${f.pairsChecked} (${f.pairs - f.pairsChecked} stopped syncing, not compared)`,
    `  duplicates          ${f.duplicates}`,
    `  knowable lost       ${f.lostUpdates} (last writes whose reported times prove them the later one, yet overruled; and policy choices not applied or not audited)`,
    `  settled by policy   ${f.settledByPolicy} last writes overruled by the policy, each checked against its audit line (times within the clocks' uncertainty: the CRM's value kept); ${f.policyConflictLines} conflict lines in the store's audit say the policy settled them`,
    `  refused by rules    ${f.refusedByRules} (last writes Partner Center's rules refused, e.g. an edit of a referral closed meanwhile; each with its audit line)`,
    `  audit lines/change  ${f.auditLinesPerChange.toFixed(2)} (field-change lines in the store's audit per driver write that crossed sides: ${f.crossedChanges} of ${f.appliedChanges} writes crossed, the rest were overwritten before the backend saw them; ${f.unexplainedAuditLines} lines name no driver write; ${f.storeAuditLines} store lines in all, ${f.auditLines} on the records)`,
    `  time to converge    ${f.timeToConvergeMs === null ? "did not converge" : `${(f.timeToConvergeMs / 1000).toFixed(1)} s after the faults stopped`}`,
    `  dead-lettered jobs  ${f.deadJobs}`,
    `  run time            ${(f.runMs / 1000).toFixed(1)} s`,
    ...f.divergent.slice(0, 10).map((d) => `  ✘ ${d.pair}: ${d.fields.join("; ")}${d.sync ? ` (opportunity: ${d.sync})` : ""}`),
    ...f.lost.slice(0, 10).map((l) => `  ✘ lost ${l.pair}.${l.field}: wrote ${JSON.stringify(l.expected)}, CRM ${JSON.stringify(l.crm)}, PC ${JSON.stringify(l.partnerCenter)}: ${l.why}`),
    ok ? "  ✔ converged" : "  ✘ NOT converged",
  ];
}

type AuditRow = { action: string; detail: string };
const FIELD_CHANGE_ACTIONS = new Set(["updated", "conflict", "refused"]);

/** The backend's store, with its audit matched to the driver's writes. */
class StoreAudit extends StoreReader {
  private linesOf(pair: Pair): AuditRow[] {
    const link = this.open()
      .prepare("SELECT link_key FROM links WHERE opportunity_id = ? OR referral_id = ? LIMIT 1")
      .get(pair.opportunityId ?? "", pair.referralId ?? "") as { link_key: string } | undefined;
    if (!link) return [];
    return this.open().prepare("SELECT action, detail FROM audit_log WHERE link_key = ? ORDER BY id").all(link.link_key) as AuditRow[];
  }

  /** Whether the audit names a refusal of `value` for `field` ("notes A → B: the referral is Closed…"). */
  refused(pair: Pair, field: MappedFieldName, value: unknown): boolean {
    return this.linesOf(pair).some((row) => row.action === "refused" && namesField(row.detail, field) && row.detail.includes(`→ ${show(field, value)}: `));
  }

  /** Whether a conflict line of `field` says the policy settled it and kept `value` (the CRM's). */
  settledByPolicy(pair: Pair, field: MappedFieldName, value: unknown): boolean {
    return this.linesOf(pair).some(
      (row) => row.action === "conflict" && namesField(row.detail, field) && row.detail.includes("settled by policy") && newValueOf(row, field) === formatFieldValue(field, value as never),
    );
  }

  /** Conflict lines of every link that say the policy settled them. */
  policyConflictLines(): number {
    return (this.open().prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'conflict' AND detail LIKE '%settled by policy%'").get() as { n: number }).n;
  }

  /** Field-change lines matched to the driver writes whose value they name as the new one. */
  account(pairs: readonly Pair[]): { lines: number; crossed: number; unexplained: string[] } {
    let lines = 0;
    let crossed = 0;
    const unexplained: string[] = [];
    for (const pair of pairs) {
      const rows = this.linesOf(pair).filter((row) => FIELD_CHANGE_ACTIONS.has(row.action));
      lines += rows.length;
      const linesPerWrite = new Map<string, number>();
      for (const row of rows) {
        const field = EDITED.find((f) => namesField(row.detail, f));
        const key = field ? `${field}=${newValueOf(row, field)}` : null;
        const written = key !== null && pair.journal.some((w) => `${w.field}=${show(w.field, w.value)}` === key);
        if (!written) unexplained.push(`${pair.label}: ${row.action} ${row.detail}`);
        else linesPerWrite.set(key, (linesPerWrite.get(key) ?? 0) + 1);
      }
      for (const [key, n] of linesPerWrite) {
        // A value the driver wrote twice can cross twice; more lines than writes are extra lines.
        const writes = pair.journal.filter((w) => `${w.field}=${show(w.field, w.value)}` === key).length;
        crossed += Math.min(n, writes);
      }
    }
    return { lines, crossed, unexplained };
  }
}

const EDITED: MappedFieldName[] = [...EDITABLE, "status"];
const show = (field: MappedFieldName, value: unknown) => formatFieldValue(field, normalize(field, value) as never);
function namesField(detail: string, field: MappedFieldName): boolean {
  const label = FIELD_LABELS[field];
  if (!detail.startsWith(`${label} `)) return false;
  // "status reason …" is not "status …".
  return !MAPPED_FIELD_NAMES.some((other) => other !== field && FIELD_LABELS[other].length > label.length && detail.startsWith(`${FIELD_LABELS[other]} `));
}
/** The value a field-change line names as the new one (the kept one, for a conflict). */
function newValueOf(row: AuditRow, field: MappedFieldName): string {
  if (row.action === "conflict") {
    const kept = / kept (?:CRM|Partner Center) (.*) \([^()]*\)$/.exec(row.detail);
    return kept?.[1] ?? "";
  }
  const rest = row.detail.slice(FIELD_LABELS[field].length + 1);
  const arrow = row.action === "refused" ? rest.indexOf(" → ") : rest.lastIndexOf(" → ");
  const after = arrow >= 0 ? rest.slice(arrow + 3) : "";
  return row.action === "refused" ? after.slice(0, after.indexOf(": ")) : after;
}
