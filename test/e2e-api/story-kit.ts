/** Helpers for the API-level story tests: a seller's Dataverse writes, Partner Center reads, waiting. */
import {
  AccountColumns,
  ContactColumns,
  CurrencyColumns,
  OpportunityColumns as C,
  OpportunityStandardColumns as S,
  Tables,
} from "../../entities";
import { SANDBOX_TOKEN, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import type { Referral } from "../../sync/partner-center/referral-types";

/** A seller's call to the Web API; like the browser client, it waits out a 429 and tries again. */
export async function webApi(env: SandboxEnvironment, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  let response: Response;
  for (let attempt = 0; ; attempt++) {
    response = await fetch(`${env.dataverse.apiUrl}/${path}`, {
      method,
      headers: { Authorization: `Bearer ${SANDBOX_TOKEN}`, "Content-Type": "application/json", "OData-Version": "4.0", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status !== 429 || attempt >= 20) break;
    await response.text();
    await new Promise((r) => setTimeout(r, 20));
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function createRow(env: SandboxEnvironment, entitySet: string, body: Record<string, unknown>): Promise<string> {
  const { headers } = await webApi(env, "POST", entitySet, body);
  return /\(([0-9a-f-]{36})\)/i.exec(headers.get("odata-entityid") ?? "")![1]!;
}

export async function currencyId(env: SandboxEnvironment, iso: string): Promise<string> {
  const { json } = await webApi(env, "GET", `${Tables.transactionCurrency.entitySetName}?$filter=${CurrencyColumns.isoCode} eq '${iso}'`);
  return (json.value as Record<string, string>[])[0]![Tables.transactionCurrency.primaryId]!;
}

/** A customer account in Italy with one contact, and an opportunity on it ready to share. */
export async function createSharableOpportunity(env: SandboxEnvironment, overrides: Record<string, unknown> = {}): Promise<{ opportunityId: string; accountId: string }> {
  const accountId = await createRow(env, Tables.account.entitySetName, {
    [AccountColumns.name]: `Fabrikam ${Math.random().toString(36).slice(2, 7)} S.p.A.`,
    [AccountColumns.country]: "IT",
    [AccountColumns.city]: "Milano",
    [AccountColumns.postalCode]: "20121",
  });
  await createRow(env, Tables.contact.entitySetName, {
    [ContactColumns.firstName]: "Giulia",
    [ContactColumns.lastName]: "Rossi",
    [ContactColumns.email]: `giulia.${accountId.slice(0, 6)}@fabrikam.example`,
    [`${ContactColumns.parentCustomer}_${Tables.account.logicalName}@odata.bind`]: `/${Tables.account.entitySetName}(${accountId})`,
  });
  const opportunityId = await createRow(env, Tables.opportunity.entitySetName, {
    [S.name]: "Fabrikam cloud migration",
    [S.estimatedValue]: 10000,
    [S.estimatedCloseDate]: "2027-03-31",
    [S.description]: "Move 40 VMs to Azure",
    [`${S.transactionCurrency}@odata.bind`]: `/${Tables.transactionCurrency.entitySetName}(${await currencyId(env, "EUR")})`,
    [`${S.parentAccount}@odata.bind`]: `/${Tables.account.entitySetName}(${accountId})`,
    [C.syncWithPartnerCenter]: true,
    // The seller's consent: asking Microsoft for help shares the deal with Microsoft sellers.
    [C.shareWithMicrosoftSellers]: true,
    [C.howCanMicrosoftHelp]: 581200002,
    [C.products]: "SOL-12345-ABC",
    ...overrides,
  });
  return { opportunityId, accountId };
}

export async function readOpportunity(env: SandboxEnvironment, id: string): Promise<Record<string, unknown>> {
  return (await webApi(env, "GET", `${Tables.opportunity.entitySetName}(${id})`)).json;
}

export async function updateOpportunity(env: SandboxEnvironment, id: string, body: Record<string, unknown>): Promise<void> {
  await webApi(env, "PATCH", `${Tables.opportunity.entitySetName}(${id})`, body, { "If-Match": "*" });
}

export async function getReferral(env: SandboxEnvironment, id: string): Promise<Referral> {
  const response = await fetch(`${env.partnerCenter.url}/v1.0/engagements/referrals/${id}`, { headers: { Authorization: `Bearer ${SANDBOX_TOKEN}` } });
  if (!response.ok) throw new Error(`GET referral ${id} → ${response.status}`);
  return (await response.json()) as Referral;
}

export async function listReferrals(env: SandboxEnvironment, filter?: string): Promise<Referral[]> {
  const query = filter ? `?$filter=${encodeURIComponent(filter)}` : "";
  const response = await fetch(`${env.partnerCenter.url}/v1.0/engagements/referrals${query}`, { headers: { Authorization: `Bearer ${SANDBOX_TOKEN}` } });
  return ((await response.json()) as { value: Referral[] }).value;
}

export async function patchReferral(env: SandboxEnvironment, id: string, operations: unknown[]): Promise<Referral> {
  const current = await getReferral(env, id);
  const response = await fetch(`${env.partnerCenter.url}/v1.0/engagements/referrals/${id}`, {
    method: "PATCH",
    headers: { Authorization: `Bearer ${SANDBOX_TOKEN}`, "Content-Type": "application/json", "If-Match": current.eTag, Prefer: "return=representation" },
    body: JSON.stringify(operations),
  });
  if (!response.ok) throw new Error(`PATCH referral → ${response.status}: ${await response.text()}`);
  return (await response.json()) as Referral;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { C, S };

/** Waits until no webhook is in flight on either side and the backend's queue is empty, twice in a row. */
export async function settle(env: SandboxEnvironment, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  let quietRounds = 0;
  while (quietRounds < 2) {
    if (Date.now() - start > timeoutMs) throw new Error("the sandbox did not settle");
    await Promise.all([env.dataverse.webhooksIdle(), env.partnerCenter.webhooksIdle()]);
    const jobs = await env.service!.store.countJobs();
    const due = (await env.service!.store.listJobs({ state: "pending" })).filter((j) => j.nextAttemptAt <= Date.now() + 50);
    quietRounds = jobs.running === 0 && due.length === 0 ? quietRounds + 1 : 0;
    await new Promise((r) => setTimeout(r, 60));
  }
}

export async function waitForSynced(env: SandboxEnvironment, opportunityId: string): Promise<Record<string, unknown>> {
  return waitFor("✔ Synced", async () => {
    const row = await readOpportunity(env, opportunityId);
    return row[C.syncStatus] === 581200002 ? row : null;
  });
}

export async function sendMicrosoftReferral(env: SandboxEnvironment, overrides: Record<string, unknown> = {}): Promise<Referral> {
  const response = await fetch(`${env.partnerCenter.url}/_sandbox/microsoft/referrals`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(overrides),
  });
  if (!response.ok) throw new Error(`Microsoft referral → ${response.status}: ${await response.text()}`);
  return (await response.json()) as Referral;
}

export async function createPartnerCenterDeal(env: SandboxEnvironment, body: Record<string, unknown>): Promise<Referral> {
  const response = await fetch(`${env.partnerCenter.url}/v1.0/engagements/referrals`, {
    method: "POST",
    headers: { Authorization: `Bearer ${SANDBOX_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`create referral → ${response.status}: ${await response.text()}`);
  return (await response.json()) as Referral;
}

export async function setFaults(url: string, faults: Record<string, number>): Promise<void> {
  const response = await fetch(`${url}/_sandbox/faults`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(faults) });
  if (!response.ok) throw new Error(`faults → ${response.status}: ${await response.text()}`);
}

export async function counters(url: string): Promise<Record<string, number>> {
  return (await (await fetch(`${url}/_sandbox/counters`)).json()) as Record<string, number>;
}

export async function resetCounters(url: string): Promise<void> {
  await fetch(`${url}/_sandbox/counters/reset`, { method: "POST" });
}

/** Sum of counters whose key starts with the method and contains the path part. */
export function callsOf(snapshot: Record<string, number>, method: string, pathPart: string): number {
  return Object.entries(snapshot)
    .filter(([key]) => key.startsWith(`${method} `) && key.includes(pathPart))
    .reduce((sum, [, n]) => sum + n, 0);
}
