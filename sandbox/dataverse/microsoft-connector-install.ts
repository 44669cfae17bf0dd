/**
 * An org "with Microsoft's connector installed": what Microsoft's managed solution "Partner Center
 * Referrals Synchronization for Dynamics 365" leaves in an org, as far as it is known (real-world
 * contract, "Microsoft's own connector in an org"), so that switching from it can be rehearsed.
 * Its publisher (prefix msft, choice values 29960…), the solution row, its columns on opportunity
 * (the names one real org's export shows) and on lead (guessed), the "Microsoft Solutions" child
 * table and the "Microsoft Solution Details" master table (names guessed), its environment
 * variables, and its cloud flows as workflow rows (category 5, on) listed as the solution's components
 * (solutioncomponent, type 29; `flows` places them elsewhere). The flows' trigger URL is served
 * here too (`/_sandbox/flows/…`), answering like a flow: 202 while on, 409 once turned off.
 * Everything goes through the schema registry and RecordOperations, as an import would; no records
 * are linked here (that is data, seeded through the Web API by whoever rehearses).
 */
import type { FastifyInstance } from "fastify";
import { RegistrationTables, SolutionColumns, Tables } from "../../entities";
import type { RecordOperations } from "./record-operations";
import type { SandboxContext } from "./sandbox-context";
import type { AttributeMeta, AttributeType, OptionMeta, TableMeta } from "./schema-types";

export const MICROSOFT_CONNECTOR = {
  publisher: { uniqueName: "MicrosoftPartnerCenter", friendlyName: "Microsoft Partner Center", prefix: "msft", optionValuePrefix: 29960 },
  solution: { uniqueName: "PartnerCenterReferralsSynchronization", friendlyName: "Partner Center Referrals Synchronization for Dynamics 365", version: "1.0.2.15" },
} as const;

/** The 11 cloud flows (names as an admin would see them; Microsoft does not publish them). */
export const MICROSOFT_FLOW_NAMES = [
  "Partner Center Referrals - Webhook listener",
  "Partner Center Referrals - Create or update opportunity from referral",
  "Partner Center Referrals - Create or update lead from referral",
  "Partner Center Referrals - Create or update referral from opportunity",
  "Partner Center Referrals - Accept or decline referral",
  "Partner Center Referrals - Close referral",
  "Partner Center Referrals - Sync Microsoft solutions",
  "Partner Center Referrals - Sync customer contacts",
  "Partner Center Referrals - Register webhook",
  "Partner Center Referrals - Initial sync",
  "Partner Center Referrals - Sync audit",
] as const;

const WORKFLOW = { logicalName: "workflow", entitySetName: "workflows", primaryId: "workflowid", primaryName: "name" } as const;
const PUBLISHER = { logicalName: "publisher", entitySetName: "publishers", primaryId: "publisherid", primaryName: "friendlyname" } as const;
const LEAD = { logicalName: "lead", entitySetName: "leads", primaryId: "leadid", primaryName: "fullname" } as const;
const ENV_DEFINITION = {
  logicalName: "environmentvariabledefinition", entitySetName: "environmentvariabledefinitions",
  primaryId: "environmentvariabledefinitionid", primaryName: "schemaname",
} as const;
const ENV_VALUE = {
  logicalName: "environmentvariablevalue", entitySetName: "environmentvariablevalues",
  primaryId: "environmentvariablevalueid", primaryName: "schemaname",
} as const;
const SOLUTION_COMPONENT = {
  logicalName: "solutioncomponent", entitySetName: "solutioncomponents", primaryId: "solutioncomponentid", primaryName: "solutioncomponentid",
} as const;
/** solutioncomponent.componenttype of a process (workflow row, cloud flows included). */
const WORKFLOW_COMPONENT = 29;
const SOLUTION_DETAIL = {
  logicalName: "msft_microsoftsolutiondetail", entitySetName: "msft_microsoftsolutiondetails",
  primaryId: "msft_microsoftsolutiondetailid", primaryName: "msft_name",
} as const;
const SOLUTION_ROW = {
  logicalName: "msft_microsoftsolution", entitySetName: "msft_microsoftsolutions",
  primaryId: "msft_microsoftsolutionid", primaryName: "msft_name",
} as const;

/** Choice values of Microsoft's "How can Microsoft help?" (publisher prefix 29960, then a counter), English and German labels. */
export const MICROSOFT_HELP_OPTIONS: readonly [number, string, string][] = [
  [299600000, "Workload-specific value proposition", "Workloadspezifisches Wertversprechen"],
  [299600001, "Customer technical architecture", "Technische Architektur des Kunden"],
  [299600002, "Proof of concept or demo", "Machbarkeitsnachweis oder Demo"],
  [299600003, "Quotes or licensing", "Angebote oder Lizenzierung"],
  [299600004, "Post-sales customer success", "Kundenerfolg nach dem Verkauf"],
  [299600005, "General or other", "Allgemein oder Sonstiges"],
];

const options = (...pairs: [number, string, number?][]): OptionMeta[] =>
  pairs.map(([value, label, state]) => ({ value, label, labels: { 1033: label }, ...(state === undefined ? {} : { state }) }));
/** Microsoft's managed solution ships its labels translated (German here, 1031). */
const translated = (triples: readonly [number, string, string][]): OptionMeta[] =>
  triples.map(([value, english, german]) => ({ value, label: english, labels: { 1033: english, 1031: german } }));
const yesNo = () => options([0, "No"], [1, "Yes"]);

function column(logicalName: string, type: AttributeType, displayName: string, spec: Partial<AttributeMeta> = {}): AttributeMeta {
  return { logicalName, schemaName: logicalName, type, displayName, isCustom: logicalName.startsWith("msft_"), ...spec };
}
const text = (name: string, label: string, maxLength: number, spec: Partial<AttributeMeta> = {}) => column(name, "String", label, { maxLength, format: "Text", ...spec });

function platformColumns(): AttributeMeta[] {
  return [
    column("createdon", "DateTime", "Created On", { readOnly: true }),
    column("modifiedon", "DateTime", "Modified On", { readOnly: true }),
    column("versionnumber", "BigInt", "Version Number", { readOnly: true }),
  ];
}

function table(ref: { logicalName: string; entitySetName: string; primaryId: string; primaryName: string }, objectTypeCode: number, displayName: string, columns: AttributeMeta[]): TableMeta {
  const attributes = new Map<string, AttributeMeta>();
  attributes.set(ref.primaryId, column(ref.primaryId, "Uniqueidentifier", displayName));
  for (const attribute of columns) attributes.set(attribute.logicalName, attribute);
  const schemaName = ref.logicalName.charAt(0).toUpperCase() + ref.logicalName.slice(1);
  return { ...ref, schemaName, objectTypeCode, displayName, changeTrackingEnabled: false, attributes };
}

/** Microsoft's columns on opportunity (names from a real org's export). */
function opportunityColumns(): AttributeMeta[] {
  return [
    column("msft_microsoftpartnercenterreferralsync", "Boolean", "Sync With Partner Center", { options: yesNo(), defaultValue: false }),
    text("msft_microsoftpartnercenterreferralidentifier", "Referral Identifier", 100),
    text("msft_microsoftpartnercenterreferrallink", "Referral Link", 500, { format: "Url" }),
    column("msft_microsoftpartnercenterreferralprogram", "Picklist", "Referral Program", { options: options([299600000, "Co-sell with Microsoft"], [299600001, "Independent"]) }),
    text("msft_microsoftcrmidentifier", "Microsoft CRM Identifier", 100),
    column("msft_microsoftpartnercenterreferralvisible", "Boolean", "Visible to Microsoft sellers", { options: yesNo(), defaultValue: false }),
    column("msft_microsoftpartnercenterhelp", "Picklist", "How can Microsoft help?", { options: translated(MICROSOFT_HELP_OPTIONS), displayNames: { 1033: "How can Microsoft help?", 1031: "Wie kann Microsoft helfen?" } }),
    column("msft_microsoftpartnercenterreferralsyncaudit", "Memo", "Partner Center Sync Audit", { maxLength: 100000 }),
    column("msft_microsoftpartnercentersolutions", "Memo", "Microsoft Solutions (obsolete)", { maxLength: 2000 }),
  ];
}

/** On lead the columns are not known; the same referral id, link and audit are assumed. */
function leadColumns(): AttributeMeta[] {
  return [
    text("msft_microsoftpartnercenterreferralidentifier", "Referral Identifier", 100),
    text("msft_microsoftpartnercenterreferrallink", "Referral Link", 500, { format: "Url" }),
    column("msft_microsoftpartnercenterreferralsyncaudit", "Memo", "Partner Center Sync Audit", { maxLength: 100000 }),
  ];
}

/** Standard Sales tables and platform tables the connector's install touches, when the org lacks them. */
function platformTables(): TableMeta[] {
  const owner = () => [
    column("ownerid", "Owner", "Owner", { targets: [Tables.systemUser.logicalName] }),
    column("createdby", "Lookup", "Created By", { targets: [Tables.systemUser.logicalName], readOnly: true }),
    column("modifiedby", "Lookup", "Modified By", { targets: [Tables.systemUser.logicalName], readOnly: true }),
  ];
  return [
    table(LEAD, 4, "Lead", [
      text("subject", "Topic", 300),
      text("firstname", "First Name", 50),
      text("lastname", "Last Name", 50),
      text("fullname", "Name", 160, { readOnly: true }),
      text("companyname", "Company Name", 100),
      text("emailaddress1", "Email", 100, { format: "Email" }),
      column("description", "Memo", "Description", { maxLength: 2000 }),
      column("estimatedamount", "Money", "Est. Value"),
      column("parentaccountid", "Lookup", "Parent Account", { targets: [Tables.account.logicalName] }),
      column("qualifyingopportunityid", "Lookup", "Qualifying Opportunity", { targets: [Tables.opportunity.logicalName] }),
      column("statecode", "State", "Status", { options: options([0, "Open"], [1, "Qualified"], [2, "Disqualified"]), defaultValue: 0 }),
      column("statuscode", "Status", "Status Reason", {
        options: options([1, "New", 0], [2, "Contacted", 0], [3, "Qualified", 1], [4, "Lost", 2], [5, "Cannot Contact", 2], [6, "No Longer Interested", 2], [7, "Canceled", 2]),
        defaultValue: 1,
      }),
      ...owner(),
      ...platformColumns(),
    ]),
    table(PUBLISHER, 7101, "Publisher", [
      text("uniquename", "Name", 256),
      text("friendlyname", "Display Name", 256),
      text("customizationprefix", "Prefix", 8),
      column("customizationoptionvalueprefix", "Integer", "Option Value Prefix"),
      ...platformColumns(),
    ]),
    table(WORKFLOW, 4703, "Process", [
      text("name", "Process Name", 100),
      text("uniquename", "Unique Name", 256),
      column("category", "Picklist", "Category", {
        options: options([0, "Workflow"], [1, "Dialog"], [2, "Business Rule"], [3, "Action"], [4, "Business Process Flow"], [5, "Modern Flow"], [6, "Desktop Flow"]),
      }),
      column("type", "Picklist", "Type", { options: options([1, "Definition"], [2, "Activation"], [3, "Template"]), defaultValue: 1 }),
      column("primaryentity", "EntityName", "Primary Entity"),
      column("solutionid", "Uniqueidentifier", "Solution", { readOnly: true }),
      column("ismanaged", "Boolean", "Is Managed", { options: options([0, "Unmanaged"], [1, "Managed"]), defaultValue: false, readOnly: true }),
      column("clientdata", "Memo", "Client Data", { maxLength: 1073741823 }),
      column("statecode", "State", "Status", { options: options([0, "Draft"], [1, "Activated"], [2, "Suspended"]), defaultValue: 0 }),
      column("statuscode", "Status", "Status Reason", { options: options([1, "Draft", 0], [2, "Activated", 1], [3, "CompanyDLPViolation", 2]), defaultValue: 1 }),
      ...owner(),
      ...platformColumns(),
    ]),
    table(SOLUTION_COMPONENT, 7103, "Solution Component", [
      column("solutionid", "Lookup", "Solution", { targets: [RegistrationTables.solution.logicalName], readOnly: true }),
      column("objectid", "Uniqueidentifier", "Object", { readOnly: true }),
      column("componenttype", "Picklist", "Object Type Code", { options: options([1, "Entity"], [2, "Attribute"], [29, "Workflow"], [380, "Environment Variable Definition"]), readOnly: true }),
      column("rootcomponentbehavior", "Picklist", "Root Component Behavior", { options: options([0, "Include Subcomponents"], [1, "Do not include subcomponents"], [2, "Include As Shell Only"]), readOnly: true }),
      ...platformColumns(),
    ]),
    table(ENV_DEFINITION, 380, "Environment Variable Definition", [
      text("schemaname", "Schema Name", 100),
      text("displayname", "Display Name", 100),
      column("type", "Picklist", "Type", {
        options: options([100000000, "String"], [100000001, "Number"], [100000002, "Boolean"], [100000003, "JSON"], [100000004, "Data source"], [100000005, "Secret"]),
      }),
      column("defaultvalue", "Memo", "Default Value", { maxLength: 2000 }),
      column("solutionid", "Uniqueidentifier", "Solution", { readOnly: true }),
      ...platformColumns(),
    ]),
    table(ENV_VALUE, 381, "Environment Variable Value", [
      text("schemaname", "Schema Name", 100),
      column("value", "Memo", "Value", { maxLength: 2000 }),
      column("environmentvariabledefinitionid", "Lookup", "Environment Variable Definition", { targets: [ENV_DEFINITION.logicalName] }),
      ...platformColumns(),
    ]),
    table(SOLUTION_DETAIL, 10801, "Microsoft Solution Details", [
      text("msft_name", "Name", 200),
      text("msft_solutionidentifier", "Solution Identifier", 100),
      text("msft_solutiontype", "Solution Type", 100),
      text("msft_publishername", "Publisher", 200),
      ...platformColumns(),
    ]),
    table(SOLUTION_ROW, 10802, "Microsoft Solutions", [
      text("msft_name", "Name", 200),
      column("msft_opportunity", "Lookup", "Opportunity", { targets: [Tables.opportunity.logicalName] }),
      column("msft_solutiondetail", "Lookup", "Microsoft Solution Detail", { targets: [SOLUTION_DETAIL.logicalName] }),
      ...platformColumns(),
    ]),
  ];
}

export interface InstalledMicrosoftConnector {
  solutionId: string;
  flowIds: string[];
}

/**
 * Where the cloud flows are, as a solution's components (solutioncomponent, type 29): in the
 * connector's solution (default); in a second solution of the same publisher named
 * "PartnerCenterReferra…" (as when the flows ship or were patched separately); or in none of its
 * solutions (flows re-created outside them), when the switch cannot tell they are Microsoft's.
 */
export type MicrosoftFlowsLayout = "its-solution" | "second-solution" | "outside-its-solutions";

export interface MicrosoftConnectorInstallOptions {
  flows?: MicrosoftFlowsLayout;
}

/** Applies the install to a fresh org (after seedData). */
export function installMicrosoftConnector(context: SandboxContext, operations: RecordOperations, options: MicrosoftConnectorInstallOptions = {}): InstalledMicrosoftConnector {
  const schema = context.schema;
  for (const meta of platformTables()) if (!schema.table(meta.logicalName)) schema.addTable(meta);
  for (const attribute of opportunityColumns()) schema.upsertAttribute(Tables.opportunity.logicalName, attribute);
  for (const attribute of leadColumns()) schema.upsertAttribute(LEAD.logicalName, attribute);
  schema.upsertAttribute(RegistrationTables.solution.logicalName, column("publisherid", "Lookup", "Publisher", { targets: [PUBLISHER.logicalName] }));
  const meta = (logicalName: string): TableMeta => {
    const found = schema.table(logicalName);
    if (!found) throw new Error(`table ${logicalName} missing`);
    return found;
  };

  const { publisher, solution } = MICROSOFT_CONNECTOR;
  const publisherRow = operations.create(meta(PUBLISHER.logicalName), {
    uniquename: publisher.uniqueName,
    friendlyname: publisher.friendlyName,
    customizationprefix: publisher.prefix,
    customizationoptionvalueprefix: publisher.optionValuePrefix,
  });
  const solutionRow = operations.create(meta(RegistrationTables.solution.logicalName), {
    [SolutionColumns.uniqueName]: solution.uniqueName,
    [SolutionColumns.friendlyName]: solution.friendlyName,
    [SolutionColumns.version]: solution.version,
    [SolutionColumns.isManaged]: true,
    publisherid: { id: publisherRow.id, logicalName: PUBLISHER.logicalName },
    installedon: `${new Date().toISOString().slice(0, 19)}Z`,
  });
  const variables: [string, string, number, string, string | null][] = [
    ["msft_displaycheckmarkinname", "Display check mark in the opportunity name", 100000002, "no", "yes"],
    ["msft_dealvaluefield", "Deal value field", 100000000, "estimatedvalue", null],
    ["msft_customeraccountcountrycode", "Customer account country code field", 100000000, "address1_country", null],
  ];
  for (const [schemaName, displayName, type, defaultValue, value] of variables) {
    const definition = operations.create(meta(ENV_DEFINITION.logicalName), { schemaname: schemaName, displayname: displayName, type, defaultvalue: defaultValue, solutionid: solutionRow.id });
    if (value !== null) {
      operations.create(meta(ENV_VALUE.logicalName), {
        schemaname: schemaName,
        value,
        environmentvariabledefinitionid: { id: definition.id, logicalName: ENV_DEFINITION.logicalName },
      });
    }
  }
  const component = (solutionId: string, objectId: string, componentType: number) =>
    operations.create(meta(SOLUTION_COMPONENT.logicalName), {
      solutionid: { id: solutionId, logicalName: RegistrationTables.solution.logicalName }, objectid: objectId, componenttype: componentType, rootcomponentbehavior: 0,
    });
  const layout = options.flows ?? "its-solution";
  const flowsSolutionId = layout === "second-solution"
    ? operations.create(meta(RegistrationTables.solution.logicalName), {
      [SolutionColumns.uniqueName]: `${solution.uniqueName}Flows`,
      [SolutionColumns.friendlyName]: `${solution.friendlyName} (flows)`,
      [SolutionColumns.version]: solution.version,
      [SolutionColumns.isManaged]: true,
      publisherid: { id: publisherRow.id, logicalName: PUBLISHER.logicalName },
      installedon: `${new Date().toISOString().slice(0, 19)}Z`,
    }).id
    : solutionRow.id;
  const flowIds = MICROSOFT_FLOW_NAMES.map((name) => {
    const flow = operations.create(meta(WORKFLOW.logicalName), {
      name, category: 5, type: 1, primaryentity: "none", ismanaged: layout !== "outside-its-solutions", statecode: 1, statuscode: 2,
      ...(layout === "outside-its-solutions" ? {} : { solutionid: flowsSolutionId }),
      clientdata: JSON.stringify({ properties: { definition: { triggers: { manual: { type: "Request" } } } } }),
    });
    if (layout !== "outside-its-solutions") component(flowsSolutionId, flow.id, WORKFLOW_COMPONENT);
    return flow.id;
  });
  return { solutionId: solutionRow.id, flowIds };
}

/** Path of a flow's HTTP trigger below the org URL (a real one is on *.logic.azure.com). */
export const flowTriggerPath = (flowId: string) => `/_sandbox/flows/workflows/${flowId}/triggers/manual/paths/invoke`;

/**
 * The flows' trigger URL, where Microsoft's webhook registration points: accepts a delivery while
 * the flow is on, answers 409 as a turned-off flow does (so Partner Center's delivery fails).
 */
export function registerFlowTriggerRoute(app: FastifyInstance, context: SandboxContext): void {
  app.post<{ Params: { flowId: string } }>("/_sandbox/flows/workflows/:flowId/triggers/manual/paths/invoke", async (request, reply) => {
    const flow = context.store.get(WORKFLOW.logicalName, request.params.flowId.toLowerCase());
    if (!flow) return reply.code(404).send({ error: { code: "WorkflowNotFound", message: `The workflow '${request.params.flowId}' could not be found.` } });
    if (flow.values["statecode"] !== 1) {
      return reply.code(409).send({ error: { code: "WorkflowTriggerIsNotEnabled", message: `The workflow '${request.params.flowId}' is disabled.` } });
    }
    return reply.code(202).send();
  });
}
