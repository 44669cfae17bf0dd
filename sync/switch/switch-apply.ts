/**
 * `--apply`: carries out a switch plan. Refuses (changing nothing) while Microsoft's flows are on,
 * unless told to turn them off, or when none of its flows can be found (unless the admin checked); then turns them off, takes over Partner Center's webhook
 * registration from Microsoft's flow, and adopts each link: the store gets the link and a base
 * equal to the referral first, then the opportunity gets our columns (If-Match on the read). A crash
 * anywhere leaves either nothing or a stored link whose record does not show it yet; running again
 * redoes exactly that record. Nothing is created in Partner Center, and nothing there is written.
 */
import { OpportunityColumns as C } from "../../entities";
import type { DataverseClient } from "../dataverse/dataverse-client";
import { DataverseError } from "../dataverse/dataverse-error";
import { REFERRAL_WEBHOOK_EVENTS, type WebhookRegistrationClient } from "../partner-center/webhook-registration-client";
import { LinkConflictError, opportunityLinkKey, referralLinkKey, type Job, type SyncStore } from "../store";
import type { CrmGateway } from "../worker/crm-gateway";
import type { LinkSyncHandler } from "../worker/link-sync.handler";
import { turnOffFlow, type MicrosoftFlow } from "./microsoft-connector-discovery";
import type { PlannedLead, PlannedLink, SwitchPlan } from "./switch-plan";

/** Microsoft's flows are on and we were not told to turn them off: two engines would sync one record. */
export class MicrosoftFlowsOnError extends Error {
  constructor(readonly flows: readonly MicrosoftFlow[]) {
    super(`${flows.length} of Microsoft's cloud flows are on`);
    this.name = "MicrosoftFlowsOnError";
  }
}

/**
 * Microsoft's solution is installed but none of its cloud flows was found among its components: they
 * may be running from elsewhere, so we cannot tell that no second engine is on.
 */
export class MicrosoftFlowsNotFoundError extends Error {
  constructor(readonly solutionNames: readonly string[]) {
    super(`no cloud flow found in ${solutionNames.join(", ")}`);
    this.name = "MicrosoftFlowsNotFoundError";
  }
}

export type SwitchEvent =
  | { kind: "flow-off"; flow: MicrosoftFlow }
  | { kind: "registration"; url: string; previous: string | null }
  | { kind: "link-stored"; link: PlannedLink }
  | { kind: "adopted"; link: PlannedLink }
  | { kind: "lead-imported"; lead: PlannedLead; opportunityId: string }
  | { kind: "lead-qualified"; lead: PlannedLead; opportunityId: string };

export interface ApplyOptions {
  readonly turnOffMicrosoftFlows: boolean;
  readonly qualifyLeads: boolean;
  /** The admin checked that none of Microsoft's flows runs, where the switch found none to turn off. */
  readonly microsoftFlowsChecked?: boolean;
  /** Our Partner Center webhook URL (PUBLIC_BASE_URL/webhooks/partner-center); null: registration left alone. */
  readonly ourWebhookUrl: string | null;
}

export interface ApplyDependencies {
  readonly dataverse: DataverseClient;
  readonly crm: CrmGateway;
  readonly store: SyncStore;
  readonly registrations: WebhookRegistrationClient;
  readonly handler: LinkSyncHandler;
  readonly now: () => Date;
  /** Told of each step as it is done (the command prints them; a test may stop the run there). */
  readonly onEvent?: (event: SwitchEvent) => void;
}

export interface ApplyResult {
  readonly flowsTurnedOff: number;
  readonly registrationTakenOver: boolean;
  readonly adopted: number;
  /** Records that changed while we adopted them: running again adopts them. */
  readonly failed: readonly { link: PlannedLink; reason: string }[];
  readonly leadsQualified: number;
}

export async function applySwitch(plan: SwitchPlan, options: ApplyOptions, deps: ApplyDependencies): Promise<ApplyResult> {
  const flowsOn = plan.connector.flows.filter((flow) => flow.on);
  if (flowsOn.length > 0 && !options.turnOffMicrosoftFlows) throw new MicrosoftFlowsOnError(flowsOn);
  if (plan.connector.flows.length === 0 && !options.microsoftFlowsChecked) throw new MicrosoftFlowsNotFoundError(plan.connector.solutionNames);
  const emit = deps.onEvent ?? (() => undefined);

  for (const flow of flowsOn) {
    await turnOffFlow(deps.dataverse, flow);
    emit({ kind: "flow-off", flow });
  }
  const registrationTakenOver = await takeOverRegistration(plan, options, deps);

  let adopted = 0;
  const failed: { link: PlannedLink; reason: string }[] = [];
  for (const link of plan.adopt) {
    try {
      await adoptLink(link, deps);
      adopted++;
    } catch (error) {
      if (!(error instanceof DataverseError && error.status === 412) && !(error instanceof LinkConflictError)) throw error;
      failed.push({ link, reason: error instanceof LinkConflictError ? error.message : "the opportunity changed while it was being adopted" });
    }
  }
  let leadsQualified = 0;
  if (options.qualifyLeads) {
    for (const lead of plan.leads) {
      await qualifyLead(lead, deps);
      leadsQualified++;
    }
  }
  return { flowsTurnedOff: flowsOn.length, registrationTakenOver, adopted, failed, leadsQualified };
}

/** Only a registration held by Microsoft's flow (or none) is taken over; someone else's is left alone. */
async function takeOverRegistration(plan: SwitchPlan, options: ApplyOptions, deps: ApplyDependencies): Promise<boolean> {
  const { owner, url } = plan.registration;
  if (!options.ourWebhookUrl || (owner !== "microsoft-flow" && owner !== "none")) return false;
  const request = { WebhookUrl: options.ourWebhookUrl, WebhookEvents: [...REFERRAL_WEBHOOK_EVENTS] };
  if (owner === "none") await deps.registrations.register(request);
  else await deps.registrations.update(request);
  deps.onEvent?.({ kind: "registration", url: options.ourWebhookUrl, previous: url });
  return true;
}

/** Store first (link + base), then the record: the record showing our link means the store has it. */
async function adoptLink(link: PlannedLink, deps: ApplyDependencies): Promise<void> {
  const { store } = deps;
  const opportunityId = link.opportunity.id;
  const existing = (await store.findLinkByOpportunityId(opportunityId)) ?? (await store.findLinkByReferralId(link.referral.id));
  const key = existing?.key ?? opportunityLinkKey(opportunityId);
  await store.saveLink({
    key, opportunityId, referralId: link.referral.id,
    accountId: (link.opportunity.record["_parentaccountid_value"] as string | null | undefined) ?? null,
    ...(link.microsoftInvited ? { microsoftInvitedAt: deps.now().getTime() } : {}),
  });
  const base = await store.getBase(key);
  await store.commitSync(key, { base: link.adoption.base, audit: auditOnce(base === null, link), expectedVersion: base?.version ?? null });
  deps.onEvent?.({ kind: "link-stored", link });
  if (Object.keys(link.adoption.write).length > 0) {
    await deps.crm.updateOpportunity(opportunityId, link.opportunity.etag, link.adoption.write);
  }
  deps.onEvent?.({ kind: "adopted", link });
}

const auditOnce = (first: boolean, link: PlannedLink) => (first ? [link.adoption.auditEntry] : []);

/**
 * A lead becomes an opportunity the way a referral reaches us first: the sync's own import (account
 * matched or created, link and base stored before the create, so running again never duplicates),
 * then the lead is closed as Qualified pointing at it. A run stopped in between is resumed by the plan
 * (the lead then carries the opportunity), which only closes the lead.
 */
async function qualifyLead(lead: PlannedLead, deps: ApplyDependencies): Promise<void> {
  const opportunityId = lead.opportunityId ?? (await importReferral(lead, deps));
  await deps.dataverse.transport.call("PATCH", `leads(${lead.record.id})`, {
    headers: { "If-Match": "*" },
    body: { statecode: 1, statuscode: 3, "qualifyingopportunityid@odata.bind": `/opportunities(${opportunityId})` },
  });
  deps.onEvent?.({ kind: "lead-qualified", lead, opportunityId });
}

async function importReferral(lead: PlannedLead, deps: ApplyDependencies): Promise<string> {
  const now = deps.now().getTime();
  const job: Job = {
    id: 0, linkKey: referralLinkKey(lead.referral.id), opportunityId: null, referralId: lead.referral.id, reasons: ["switch-from-microsoft"],
    state: "running", attempts: 1, nextAttemptAt: now, lastError: null, leaseOwner: "switch-from-microsoft", leaseExpiresAt: null, createdAt: now, updatedAt: now,
  };
  await deps.handler.run(job);
  const link = await deps.store.findLinkByReferralId(lead.referral.id);
  const opportunity = link?.opportunityId ? await deps.crm.getOpportunity(link.opportunityId) : null;
  if (!opportunity || opportunity.record[C.referralIdentifier] !== lead.referral.id) {
    throw new Error(`the opportunity for referral ${lead.referral.id} was not created; run again`);
  }
  deps.onEvent?.({ kind: "lead-imported", lead, opportunityId: opportunity.id });
  return opportunity.id;
}
