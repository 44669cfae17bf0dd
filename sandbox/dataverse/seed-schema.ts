/**
 * The standard tables a new Dynamics 365 Sales org has, with the columns the connector and its tests
 * touch. This is the sandbox's own metadata (as an org's would be): the pcc_ columns are NOT here, they
 * arrive only through ImportSolution of our zip. Column types and lengths follow the out-of-the-box
 * definitions (opportunity.name 300, account.name 160, ...).
 */
import { RegistrationTables, Tables } from "../../entities";
import type { AttributeMeta, AttributeType, OptionMeta, TableMeta } from "./schema-types";

type ColumnSpec = Omit<AttributeMeta, "logicalName" | "schemaName" | "type"> & { schemaName?: string };

const col = (logicalName: string, type: AttributeType, spec: ColumnSpec = {}): AttributeMeta => ({
  logicalName,
  schemaName: spec.schemaName ?? logicalName.charAt(0).toUpperCase() + logicalName.slice(1),
  type,
  ...spec,
});

const text = (name: string, maxLength: number, spec: ColumnSpec = {}) => col(name, "String", { maxLength, format: "Text", ...spec });
const lookup = (name: string, ...targets: string[]) => col(name, "Lookup", { targets });
const options = (...pairs: [number, string, number?][]): OptionMeta[] =>
  pairs.map(([value, label, state]) => ({ value, label, labels: { 1033: label }, ...(state === undefined ? {} : { state }) }));

/** Columns every user-owned table has. */
function systemColumns(): AttributeMeta[] {
  return [
    col("ownerid", "Owner", { targets: [Tables.systemUser.logicalName] }),
    col("createdon", "DateTime", { readOnly: true }),
    col("modifiedon", "DateTime", { readOnly: true }),
    col("createdby", "Lookup", { targets: [Tables.systemUser.logicalName], readOnly: true }),
    col("modifiedby", "Lookup", { targets: [Tables.systemUser.logicalName], readOnly: true }),
    col("modifiedonbehalfby", "Lookup", { targets: [Tables.systemUser.logicalName], readOnly: true }),
    col("timezoneruleversionnumber", "Integer", { readOnly: true }),
    col("versionnumber", "BigInt", { readOnly: true }),
  ];
}

const activeInactive = () => [
  col("statecode", "State", { options: options([0, "Active"], [1, "Inactive"]), defaultValue: 0 }),
  col("statuscode", "Status", { options: options([1, "Active", 0], [2, "Inactive", 1]), defaultValue: 1 }),
];

function table(
  ref: { logicalName: string; entitySetName: string; primaryId: string; primaryName: string },
  objectTypeCode: number,
  displayName: string,
  columns: AttributeMeta[],
  changeTrackingEnabled = true,
): TableMeta {
  const attributes = new Map<string, AttributeMeta>();
  attributes.set(ref.primaryId, col(ref.primaryId, "Uniqueidentifier", { readOnly: false }));
  for (const column of columns) attributes.set(column.logicalName, column);
  const schemaName = ref.logicalName.charAt(0).toUpperCase() + ref.logicalName.slice(1);
  return { ...ref, schemaName, objectTypeCode, displayName, changeTrackingEnabled, attributes };
}

/** Platform tables the Web API exposes for webhook registration and solution checks. */
const SdkTables = RegistrationTables;

export function seedSchema(): TableMeta[] {
  const { opportunity, account, contact, transactionCurrency, systemUser } = Tables;
  return [
    table(opportunity, 3, "Opportunity", [
      text("name", 300),
      col("estimatedvalue", "Money", { minValue: -1e12, maxValue: 1e12 }),
      col("actualvalue", "Money", { minValue: -1e12, maxValue: 1e12 }),
      col("estimatedclosedate", "DateTime", { dateOnly: true }),
      col("actualclosedate", "DateTime", { dateOnly: true }),
      col("description", "Memo", { maxLength: 2000 }),
      // Standard Sales columns an admin may map a co-sell field to (the mapping rows).
      col("customerneed", "Memo", { maxLength: 2000 }),
      col("currentsituation", "Memo", { maxLength: 2000 }),
      col("budgetstatus", "Picklist", { options: options([0, "No Committed Budget"], [1, "May Buy"], [2, "Can Buy"], [3, "Will Buy"]) }),
      col("closeprobability", "Integer", { minValue: 0, maxValue: 100 }),
      col("exchangerate", "Decimal", { readOnly: true }),
      lookup("transactioncurrencyid", transactionCurrency.logicalName),
      lookup("parentaccountid", account.logicalName),
      lookup("parentcontactid", contact.logicalName),
      col("customerid", "Customer", { targets: [account.logicalName, contact.logicalName] }),
      col("statecode", "State", { options: options([0, "Open"], [1, "Won"], [2, "Lost"]), defaultValue: 0 }),
      col("statuscode", "Status", {
        options: options([1, "In Progress", 0], [2, "On Hold", 0], [3, "Won", 1], [4, "Canceled", 2], [5, "Out-Sold", 2]),
        defaultValue: 1,
      }),
      ...systemColumns(),
    ], false), // Whether a Sales org tracks opportunity changes is not documented: off until enabled.
    table(account, 1, "Account", [
      text("name", 160),
      text("accountnumber", 20),
      text("websiteurl", 200, { format: "Url" }),
      text("telephone1", 50),
      text("emailaddress1", 100, { format: "Email" }),
      text("address1_line1", 250),
      text("address1_city", 80),
      text("address1_postalcode", 20),
      text("address1_stateorprovince", 50),
      text("address1_country", 80),
      col("numberofemployees", "Integer"),
      col("revenue", "Money"),
      lookup("primarycontactid", contact.logicalName),
      lookup("transactioncurrencyid", transactionCurrency.logicalName),
      ...activeInactive(),
      ...systemColumns(),
    ]),
    table(contact, 2, "Contact", [
      text("firstname", 50),
      text("lastname", 50),
      text("fullname", 160, { readOnly: true }),
      text("emailaddress1", 100, { format: "Email" }),
      text("telephone1", 50),
      text("jobtitle", 100),
      col("parentcustomerid", "Customer", { targets: [account.logicalName, contact.logicalName] }),
      ...activeInactive(),
      ...systemColumns(),
    ]),
    table(transactionCurrency, 9105, "Currency", [
      text("isocurrencycode", 5),
      text("currencyname", 100),
      text("currencysymbol", 10),
      col("exchangerate", "Decimal"),
      col("currencyprecision", "Integer"),
      ...activeInactive(),
      col("createdon", "DateTime", { readOnly: true }),
      col("modifiedon", "DateTime", { readOnly: true }),
      col("versionnumber", "BigInt", { readOnly: true }),
    ], false),
    table(systemUser, 8, "User", [
      text("fullname", 200, { readOnly: true }),
      text("firstname", 64),
      text("lastname", 64),
      text("internalemailaddress", 100, { format: "Email" }),
      text("domainname", 1024),
      col("azureactivedirectoryobjectid", "Uniqueidentifier"),
      col("isdisabled", "Boolean", { options: options([0, "Enabled"], [1, "Disabled"]), defaultValue: false }),
      col("createdon", "DateTime", { readOnly: true }),
      col("modifiedon", "DateTime", { readOnly: true }),
      col("versionnumber", "BigInt", { readOnly: true }),
    ], false),
    ...sdkRegistrationTables(),
  ];
}

function sdkRegistrationTables(): TableMeta[] {
  const platformColumns = () => [
    col("createdon", "DateTime", { readOnly: true }),
    col("modifiedon", "DateTime", { readOnly: true }),
    col("versionnumber", "BigInt", { readOnly: true }),
  ];
  return [
    table(SdkTables.serviceEndpoint, 4618, "Service Endpoint", [
      text("name", 256),
      text("description", 2000),
      col("contract", "Picklist", {
        options: options([1, "OneWay"], [2, "Queue"], [3, "Rest"], [4, "TwoWay"], [5, "Topic"], [6, "Queue (Persistent)"], [7, "Event Hub"], [8, "Webhook"], [9, "Event Grid"]),
      }),
      text("url", 2000),
      text("namespaceaddress", 255),
      col("authtype", "Picklist", {
        options: options([1, "ACS"], [2, "SAS Key"], [3, "SAS Token"], [4, "Webhook Key"], [5, "Http Header"], [6, "Http Query String"]),
      }),
      // Dataverse never returns the key or header values once stored.
      text("authvalue", 4000, { validForRead: false }),
      col("messageformat", "Picklist", { options: options([1, ".NETBinary"], [2, "JSON"], [3, "XML"]), defaultValue: 2 }),
      col("userclaim", "Picklist", { options: options([1, "None"], [2, "UserId"], [3, "UserInfo"]), defaultValue: 1 }),
      col("connectionmode", "Picklist", { options: options([1, "Normal"], [2, "Federated"]), defaultValue: 1 }),
      ...platformColumns(),
    ], false),
    table(SdkTables.sdkMessage, 4606, "Sdk Message", [text("name", 256), ...platformColumns()], false),
    table(SdkTables.sdkMessageFilter, 4607, "Sdk Message Filter", [
      text("name", 256),
      lookup("sdkmessageid", SdkTables.sdkMessage.logicalName),
      col("primaryobjecttypecode", "EntityName"),
      col("secondaryobjecttypecode", "EntityName"),
      ...platformColumns(),
    ], false),
    table(SdkTables.step, 4608, "Sdk Message Processing Step", [
      text("name", 256),
      text("description", 256),
      lookup("sdkmessageid", SdkTables.sdkMessage.logicalName),
      lookup("sdkmessagefilterid", SdkTables.sdkMessageFilter.logicalName),
      col("eventhandler", "Lookup", { targets: [SdkTables.serviceEndpoint.logicalName, SdkTables.pluginType.logicalName] }),
      col("stage", "Picklist", {
        options: options([10, "Pre-validation"], [20, "Pre-operation"], [30, "Main Operation"], [40, "Post-operation"]),
      }),
      col("mode", "Picklist", { options: options([0, "Synchronous"], [1, "Asynchronous"]), defaultValue: 0 }),
      col("rank", "Integer", { defaultValue: 1 }),
      text("filteringattributes", 100000),
      col("supporteddeployment", "Picklist", { options: options([0, "Server Only"], [1, "Microsoft Dynamics 365 Client for Outlook Only"], [2, "Both"]), defaultValue: 0 }),
      col("asyncautodelete", "Boolean", { options: options([0, "No"], [1, "Yes"]), defaultValue: false }),
      text("configuration", 1073741823),
      col("statecode", "State", { options: options([0, "Enabled"], [1, "Disabled"]), defaultValue: 0 }),
      col("statuscode", "Status", { options: options([1, "Enabled", 0], [2, "Disabled", 1]), defaultValue: 1 }),
      ...platformColumns(),
    ], false),
    table(SdkTables.stepImage, 4615, "Sdk Message Processing Step Image", [
      text("name", 256),
      text("entityalias", 256),
      text("attributes", 100000),
      text("messagepropertyname", 256),
      col("imagetype", "Picklist", { options: options([0, "PreImage"], [1, "PostImage"], [2, "Both"]) }),
      lookup("sdkmessageprocessingstepid", SdkTables.step.logicalName),
      ...platformColumns(),
    ], false),
    table(SdkTables.solution, 7100, "Solution", [
      text("uniquename", 65),
      text("friendlyname", 256),
      text("version", 256),
      col("ismanaged", "Boolean", { options: options([0, "Unmanaged"], [1, "Managed"]), defaultValue: false }),
      col("installedon", "DateTime", { readOnly: true }),
      ...platformColumns(),
    ], false),
  ];
}

/**
 * The columns Dataverse adds to a custom table it creates on solution import: the audit columns, the
 * row version, active/inactive state, and an owner when the table is user-owned (an org-owned table has none).
 */
export function customTablePlatformColumns(ownership: "OrgOwned" | "UserOwned"): AttributeMeta[] {
  const columns = [...systemColumns(), ...activeInactive()];
  return ownership === "OrgOwned" ? columns.filter((column) => column.logicalName !== "ownerid") : columns;
}
