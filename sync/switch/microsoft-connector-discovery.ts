/**
 * Finds Microsoft's co-sell connector in the org from its metadata: the solution (unique name
 * starting "PartnerCenterReferra"), its publisher's prefix, the columns on opportunity and lead by
 * role (a known name or label, confirmed by the column's type), the "Microsoft Solutions" tables
 * (a prefixed table with a lookup to opportunity and one to a prefixed table of solution details),
 * the "Display check mark in the opportunity name" environment variable, and its cloud flows with
 * their state (components of type 29 of each of its solutions). What the org does not have comes back missing, never guessed.
 */
import { HOW_CAN_MICROSOFT_HELP_OPTIONS, RegistrationTables, Tables } from "../../entities";
import type { DataverseClient } from "../dataverse/dataverse-client";
import { DataverseError } from "../dataverse/dataverse-error";
import { odataString } from "../dataverse/odata-rows";
import type { HelpCode } from "../engine";
import { englishLabelText, readAll, readOne, str, type Row } from "./dataverse-reads";

/** What a column of Microsoft's holds; the names are those seen in a real org, the labels its UI's. */
export const OPPORTUNITY_ROLES = {
  referralId: { suffix: "microsoftpartnercenterreferralidentifier", types: ["String"], label: /referral (identifier|id)\b/i },
  link: { suffix: "microsoftpartnercenterreferrallink", types: ["String"], label: /referral link/i },
  sync: { suffix: "microsoftpartnercenterreferralsync", types: ["Boolean"], label: /^sync with partner center$/i },
  help: { suffix: "microsoftpartnercenterhelp", types: ["Picklist"], label: /how can microsoft help/i },
  visible: { suffix: "microsoftpartnercenterreferralvisible", types: ["Boolean"], label: /visible/i },
  crmId: { suffix: "microsoftcrmidentifier", types: ["String"], label: /microsoft crm (identifier|id)/i },
  audit: { suffix: "microsoftpartnercenterreferralsyncaudit", types: ["Memo", "String"], label: /audit/i },
  solutionsText: { suffix: "microsoftpartnercentersolutions", types: ["Memo", "String"], label: /solutions/i },
} as const;
export type OpportunityRole = keyof typeof OPPORTUNITY_ROLES;
const LEAD_ROLES = ["referralId", "link", "audit"] as const satisfies readonly OpportunityRole[];
export type LeadRole = (typeof LEAD_ROLES)[number];

export interface MicrosoftFlow {
  readonly id: string;
  readonly name: string;
  readonly on: boolean;
}

export interface MicrosoftSolutionTables {
  /** "Microsoft Solutions": one row per solution of an opportunity. */
  readonly rowsEntitySet: string;
  readonly opportunityLookup: string;
  readonly detailLookup: string;
  /** "Microsoft Solution Details": the solution's identifier (SOL-…). */
  readonly detailEntitySet: string;
  readonly detailPrimaryId: string;
  readonly identifierColumn: string;
}

export interface MicrosoftConnector {
  readonly solution: { id: string; uniqueName: string; friendlyName: string; version: string; isManaged: boolean };
  /** Every solution whose unique name starts "PartnerCenterReferra" (the flows are looked for in all). */
  readonly solutionNames: readonly string[];
  /** Publisher prefix, without the underscore. */
  readonly prefix: string;
  readonly opportunityColumns: Readonly<Partial<Record<OpportunityRole, string>>> & { readonly referralId: string };
  /** Null when the org has no lead table or Microsoft put no referral id on it. */
  readonly leadColumns: (Readonly<Partial<Record<LeadRole, string>>> & { readonly referralId: string }) | null;
  /** Microsoft's "How can Microsoft help?" choice values, matched to ours by label. */
  readonly helpChoices: ReadonlyMap<number, HelpCode | null>;
  readonly solutionTables: MicrosoftSolutionTables | null;
  /** The check-mark setting: true/false as set, null when the org has no such variable. */
  readonly checkMarkInName: boolean | null;
  readonly flows: readonly MicrosoftFlow[];
}

const MODERN_FLOW = 5;
const ACTIVATED = 1;

export interface AttributeInfo {
  logicalName: string;
  type: string;
  label: string;
  targets: string[];
}

async function attributes(client: DataverseClient, table: string): Promise<AttributeInfo[] | null> {
  const found = await readOne(client, `EntityDefinitions(LogicalName=${odataString(table)})?$select=LogicalName`);
  if (!found) return null;
  // Metadata queries filter poorly: read the table's columns and filter here.
  const rows = await readAll(client, `EntityDefinitions(LogicalName=${odataString(table)})/Attributes?$select=LogicalName,AttributeType,DisplayName`);
  const lookups = await readAll(client, `EntityDefinitions(LogicalName=${odataString(table)})/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=LogicalName,Targets`);
  const targets = new Map(lookups.map((row) => [String(row["LogicalName"]), (row["Targets"] as string[] | undefined) ?? []]));
  return rows.map((row) => ({
    logicalName: String(row["LogicalName"]),
    type: String(row["AttributeType"]),
    label: englishLabelText(row["DisplayName"]),
    targets: targets.get(String(row["LogicalName"])) ?? [],
  }));
}

/** The column playing each role: the known name if the org has it with the right type, else the one label that says so. */
export function columnsByRole<R extends OpportunityRole>(columns: readonly AttributeInfo[], prefix: string, roles: readonly R[]): Partial<Record<R, string>> {
  const ours = columns.filter((c) => c.logicalName.startsWith(`${prefix}_`));
  const found: Partial<Record<R, string>> = {};
  for (const role of roles) {
    const spec = OPPORTUNITY_ROLES[role];
    const typed = ours.filter((c) => (spec.types as readonly string[]).includes(c.type));
    const byName = typed.find((c) => c.logicalName === `${prefix}_${spec.suffix}`);
    const byLabel = typed.filter((c) => spec.label.test(c.label));
    const hit = byName ?? (byLabel.length === 1 ? byLabel[0] : undefined);
    if (hit) found[role] = hit.logicalName;
  }
  return found;
}

const squash = (text: string) => text.toLowerCase().replace(/[^a-z]/g, "");

/** Microsoft's help choices matched to our help codes by their label (or code) ignoring case and punctuation. */
async function helpChoices(client: DataverseClient, column: string | undefined): Promise<Map<number, HelpCode | null>> {
  const result = new Map<number, HelpCode | null>();
  if (!column) return result;
  const metadata = await readOne(
    client,
    `EntityDefinitions(LogicalName='${Tables.opportunity.logicalName}')/Attributes(LogicalName=${odataString(column)})/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet`,
  );
  const options = ((metadata?.["OptionSet"] as { Options?: Row[] } | undefined)?.Options ?? []);
  for (const option of options) {
    // Matched on the English label: the user's label is in the org's language.
    const label = squash(englishLabelText(option["Label"]));
    const ours = HOW_CAN_MICROSOFT_HELP_OPTIONS.find((o) => squash(o.label[1033]) === label || squash(o.code) === label);
    result.set(Number(option["Value"]), (ours?.code as HelpCode | undefined) ?? null);
  }
  return result;
}

async function solutionTables(client: DataverseClient, prefix: string): Promise<MicrosoftSolutionTables | null> {
  const tables = (await readAll(client, "EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute,DisplayName"))
    .filter((t) => String(t["LogicalName"]).startsWith(`${prefix}_`));
  const info = new Map<string, Row>(tables.map((t) => [String(t["LogicalName"]), t]));
  for (const table of tables) {
    const columns = (await attributes(client, String(table["LogicalName"]))) ?? [];
    const toOpportunity = columns.find((c) => c.targets.includes(Tables.opportunity.logicalName));
    const toDetail = columns.find((c) => c.targets.some((t) => info.has(t) && t !== table["LogicalName"]));
    if (!toOpportunity || !toDetail) continue;
    const detail = info.get(toDetail.targets.find((t) => info.has(t))!)!;
    const detailColumns = (await attributes(client, String(detail["LogicalName"]))) ?? [];
    const identifier =
      detailColumns.find((c) => c.type === "String" && /identifier/i.test(`${c.logicalName} ${c.label}`)) ??
      detailColumns.find((c) => c.type === "String" && /solution ?id/i.test(c.label));
    if (!identifier) continue;
    return {
      rowsEntitySet: String(table["EntitySetName"]),
      opportunityLookup: toOpportunity.logicalName,
      detailLookup: toDetail.logicalName,
      detailEntitySet: String(detail["EntitySetName"]),
      detailPrimaryId: String(detail["PrimaryIdAttribute"]),
      identifierColumn: identifier.logicalName,
    };
  }
  return null;
}

/** An org without environment variables (or without this one) answers null: unknown. */
async function checkMarkSetting(client: DataverseClient, prefix: string): Promise<boolean | null> {
  let definitions: Row[];
  try {
    definitions = await readAll(client, `environmentvariabledefinitions?$select=environmentvariabledefinitionid,schemaname,defaultvalue&$filter=startswith(schemaname,${odataString(`${prefix}_`)})`);
  } catch (error) {
    if (error instanceof DataverseError && (error.status === 404 || error.status === 400)) return null;
    throw error;
  }
  const definition = definitions.find((d) => /check ?mark/i.test(String(d["schemaname"])));
  if (!definition) return null;
  const values = await readAll(client, `environmentvariablevalues?$select=value&$filter=_environmentvariabledefinitionid_value eq ${String(definition["environmentvariabledefinitionid"])}`);
  const value = str(values[0]?.["value"]) ?? str(definition["defaultvalue"]) ?? "";
  return /^(yes|true|1)$/i.test(value.trim());
}

const WORKFLOW_COMPONENT = 29;

/**
 * The cloud flows among the components of every one of Microsoft's solutions (a workflow row's own
 * solutionid names one solution only, and the flows may ship in another of them).
 */
async function flows(client: DataverseClient, solutionIds: readonly string[]): Promise<MicrosoftFlow[]> {
  const found = new Map<string, MicrosoftFlow>();
  for (const solutionId of solutionIds) {
    const components = await readAll(client, `solutioncomponents?$select=objectid&$filter=_solutionid_value eq ${solutionId} and componenttype eq ${WORKFLOW_COMPONENT}`);
    for (const component of components) {
      const id = str(component["objectid"])?.toLowerCase();
      if (!id || found.has(id)) continue;
      const row = await readOne(client, `workflows(${id})?$select=workflowid,name,category,statecode`);
      if (row?.["category"] !== MODERN_FLOW) continue;
      found.set(id, { id, name: String(row["name"]), on: row["statecode"] === ACTIVATED });
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The solution's publisher prefix; null when the org does not say (then the documented msft is used). */
async function publisherPrefix(client: DataverseClient, solutionId: string): Promise<string | null> {
  let solution: Row | undefined;
  try {
    solution = await readOne(client, `${RegistrationTables.solution.entitySetName}(${solutionId})?$select=_publisherid_value`);
  } catch (error) {
    if (error instanceof DataverseError && error.status === 400) return null;
    throw error;
  }
  const publisherId = str(solution?.["_publisherid_value"]);
  const publisher = publisherId ? await readOne(client, `publishers(${publisherId})?$select=customizationprefix`) : undefined;
  return str(publisher?.["customizationprefix"]);
}

/** Microsoft's connector as this org has it, or null when its solution is not installed. */
export async function discoverMicrosoftConnector(client: DataverseClient): Promise<MicrosoftConnector | null> {
  const solutions = await readAll(
    client,
    `${RegistrationTables.solution.entitySetName}?$select=solutionid,uniquename,friendlyname,version,ismanaged&$filter=startswith(uniquename,'PartnerCenterReferra')`,
  );
  const solution = solutions[0];
  if (!solution) return null;
  const solutionIds = solutions.map((row) => String(row["solutionid"]));
  const prefix = (await publisherPrefix(client, String(solution["solutionid"]))) ?? "msft";

  const opportunity = (await attributes(client, Tables.opportunity.logicalName)) ?? [];
  const opportunityColumns = columnsByRole(opportunity, prefix, Object.keys(OPPORTUNITY_ROLES) as OpportunityRole[]);
  if (!opportunityColumns.referralId) return null;
  const lead = await attributes(client, "lead");
  const leadColumns = lead ? columnsByRole(lead, prefix, LEAD_ROLES) : null;

  const solutionId = String(solution["solutionid"]);
  return {
    solution: {
      id: solutionId,
      uniqueName: String(solution["uniquename"]),
      friendlyName: String(solution["friendlyname"]),
      version: String(solution["version"] ?? ""),
      isManaged: solution["ismanaged"] === true,
    },
    solutionNames: solutions.map((row) => String(row["uniquename"])),
    prefix,
    opportunityColumns: { ...opportunityColumns, referralId: opportunityColumns.referralId },
    leadColumns: leadColumns?.referralId ? { ...leadColumns, referralId: leadColumns.referralId } : null,
    helpChoices: await helpChoices(client, opportunityColumns.help),
    solutionTables: await solutionTables(client, prefix),
    checkMarkInName: await checkMarkSetting(client, prefix),
    flows: await flows(client, solutionIds),
  };
}

/** Turns a cloud flow off (Draft), as "Turn off" does in Power Automate. */
export async function turnOffFlow(client: DataverseClient, flow: MicrosoftFlow): Promise<void> {
  await client.transport.call("PATCH", `workflows(${flow.id})`, { headers: { "If-Match": "*" }, body: { statecode: 0, statuscode: 1 } });
}
