/** The switch plan and its outcome as the admin reads them: what was found, what --apply does, what to do about the rest. */
import { FIELD_LABELS, type HelpCode } from "../engine";
import { HOW_CAN_MICROSOFT_HELP_OPTIONS, OpportunityColumns as C } from "../../entities";
import { describeDifference } from "./adoption";
import type { ApplyResult } from "./switch-apply";
import type { PlannedLink, RecordRef, SwitchPlan } from "./switch-plan";

const record = (ref: RecordRef) => `${ref.table} "${ref.name}" ${ref.id}`;

function helpLabel(code: HelpCode | null): string | null {
  return HOW_CAN_MICROSOFT_HELP_OPTIONS.find((o) => o.code === code)?.label[1033] ?? null;
}

/** What --apply copies into our columns for one link, in plain words. */
function copied(link: PlannedLink): string {
  const target = link.adoption.target;
  const parts = [
    `sync ${target[C.syncWithPartnerCenter] === true ? "on" : "off"}`,
    `help: ${helpLabel(link.adoption.helpCode) ?? "none"}`,
    `visible to Microsoft sellers: ${link.adoption.shareWithMicrosoftSellers ? "yes" : "no"}`,
    `solutions: ${link.adoption.solutionIds.length > 0 ? link.adoption.solutionIds.join(", ") : "none"}`,
  ];
  const taken = link.adoption.fromPartnerCenter;
  if (taken.length > 0) parts.push(`Partner Center's ${taken.map((field) => FIELD_LABELS[field]).join(", ")} kept (Microsoft's columns leave it empty or unmatched; consent is never withdrawn)`);
  if (target[C.microsoftCrmIdentifier]) parts.push(`Microsoft CRM id ${String(target[C.microsoftCrmIdentifier])}`);
  if (C.audit in link.adoption.write) parts.push("audit text");
  return parts.join("; ");
}

export function formatPlan(plan: SwitchPlan, orgUrl: string): string[] {
  const { connector } = plan;
  const columns = connector.opportunityColumns;
  const lines = [
    `Microsoft's co-sell connector in ${orgUrl}:`,
    `  solution        ${connector.solution.friendlyName} (${connector.solution.uniqueName} ${connector.solution.version}${connector.solution.isManaged ? ", managed" : ""}), prefix ${connector.prefix}_`,
    `  opportunity     ${Object.entries(columns).map(([role, name]) => `${role} ${name}`).join(", ")}`,
    `  lead            ${connector.leadColumns ? Object.entries(connector.leadColumns).map(([role, name]) => `${role} ${name}`).join(", ") : "no Microsoft columns"}`,
    `  solutions       ${connector.solutionTables ? `${connector.solutionTables.rowsEntitySet} → ${connector.solutionTables.detailEntitySet}.${connector.solutionTables.identifierColumn}` : "no \"Microsoft Solutions\" table found (the text column is used if there is one)"}`,
    `  check mark      ${connector.checkMarkInName === null ? "setting not found: a trailing ✔/✖ is removed from names" : connector.checkMarkInName ? "Microsoft appends ✔/✖ to opportunity names: removed on adoption" : "off (a ✔/✖ left from when it was on is removed where the name without it is Partner Center's)"}`,
    connector.flows.length > 0
      ? `  cloud flows     ${connector.flows.length} (${connector.flows.filter((f) => f.on).length} on)`
      : `  cloud flows     none found in ${connector.solutionNames.join(", ")}: check Power Automate for Microsoft's flows running outside them (--apply refuses until --microsoft-flows-checked)`,
    ...connector.flows.map((flow) => `                  ${flow.on ? "on " : "off"}  ${flow.name}`),
    `  Partner Center  webhooks → ${plan.registration.url ?? "(nothing registered)"}${{ "microsoft-flow": " (Microsoft's flow)", ours: " (this backend)", other: " (another tool)", none: "" }[plan.registration.owner]}`,
    "",
    `Links to adopt (${plan.adopt.length}):`,
  ];
  for (const link of plan.adopt) {
    lines.push(`  ✔ ${record(link.record)} ⇄ referral ${link.referral.id} (${link.referral.status}${link.referral.substatus ? `/${link.referral.substatus}` : ""})`);
    lines.push(`      copies: ${copied(link)}`);
    if (link.adoption.strippedName) lines.push(`      name: "${link.record.name}" → "${link.adoption.strippedName}"`);
    if (link.invitesMicrosoft) lines.push("      Microsoft was never invited to this co-sell deal: the first sync invites Microsoft");
    for (const difference of link.adoption.differences) {
      lines.push(`      differs: ${describeDifference(difference)} → the first sync sends Dynamics 365's ${FIELD_LABELS[difference.field]} to Partner Center`);
    }
  }
  if (plan.alreadyAdopted.length > 0) {
    lines.push("", `Already adopted (${plan.alreadyAdopted.length}): left as they are`);
    for (const ref of plan.alreadyAdopted) lines.push(`  = ${record(ref)}`);
  }
  lines.push("", `Conflicts (${plan.conflicts.length}):`);
  for (const conflict of plan.conflicts) {
    lines.push(`  ✘ ${record(conflict.record)}, referral ${conflict.referralId}: ${conflict.problem}`);
    lines.push(`      → ${conflict.todo}`);
  }
  lines.push("", `Leads (${plan.leads.length}):`);
  for (const lead of plan.leads) {
    lines.push(`  • ${record(lead.record)} ⇄ referral ${lead.referral.id} (${lead.referral.status})`);
    lines.push(`      → ${lead.todo}`);
  }
  return lines;
}

export function formatNextStep(plan: SwitchPlan): string[] {
  const on = plan.connector.flows.filter((f) => f.on).length;
  return [
    "",
    "Dry run: nothing was changed. --apply " +
      [
        on > 0 ? `turns off Microsoft's ${on} flows (with --turn-off-microsoft-flows)` : null,
        plan.registration.owner === "microsoft-flow" || plan.registration.owner === "none" ? "points Partner Center's webhooks at this backend" : null,
        `adopts ${plan.adopt.length} link(s)`,
        plan.leads.length > 0 ? `and with --qualify-leads turns ${plan.leads.length} lead(s) into opportunities` : null,
      ].filter((part) => part !== null).join(", ") + ".",
    `Run: cosell switch-from-microsoft --apply${on > 0 ? " --turn-off-microsoft-flows" : ""}${plan.connector.flows.length === 0 ? " --microsoft-flows-checked" : ""}${plan.leads.length > 0 ? " [--qualify-leads]" : ""}`,
  ];
}

/**
 * What to run after the switch. `register-webhooks` also points Partner Center's webhooks here, so it
 * is advised as is only when they are ours (taken over, or already); another tool's stay its own.
 */
function nextSteps(plan: SwitchPlan, result: ApplyResult): string {
  const { owner, url } = plan.registration;
  if (result.registrationTakenOver || owner === "ours") {
    return "Next: `cosell register-webhooks` (the Dataverse steps for this backend; Partner Center's webhooks already point here), then `cosell serve`; `cosell doctor` checks both.";
  }
  return `Next: \`cosell serve\`; its reconcile loop catches up changes without webhooks. Partner Center's webhooks still go to ${url ?? "nothing"}${owner === "other" ? " (another tool)" : ""}, and \`cosell register-webhooks\` would point them here, replacing that: run it (it also registers the Dataverse steps) only once that tool no longer needs them. \`cosell doctor\` shows what is missing.`;
}

export function formatResult(result: ApplyResult, plan: SwitchPlan): string[] {
  const lines = [
    "",
    `✔ Switched: ${result.adopted} link(s) adopted, ${result.flowsTurnedOff} flow(s) turned off, ${result.leadsQualified} lead(s) qualified; Partner Center webhooks ${result.registrationTakenOver ? "now point at this backend" : "left as they were"}.`,
  ];
  for (const failure of result.failed) lines.push(`✘ ${record(failure.link.record)}: ${failure.reason}. Run the command again to adopt it.`);
  lines.push(nextSteps(plan, result));
  return lines;
}
