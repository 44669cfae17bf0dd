/**
 * Names of the standard Dataverse tables and columns the connector touches. They are spelled here
 * once so that the backend, the sandbox and the browser code share them (docs/DESIGN.md section 3).
 */

export const Tables = {
  opportunity: { logicalName: "opportunity", entitySetName: "opportunities", primaryId: "opportunityid", primaryName: "name", objectTypeCode: 3 },
  account: { logicalName: "account", entitySetName: "accounts", primaryId: "accountid", primaryName: "name", objectTypeCode: 1 },
  contact: { logicalName: "contact", entitySetName: "contacts", primaryId: "contactid", primaryName: "fullname", objectTypeCode: 2 },
  transactionCurrency: {
    logicalName: "transactioncurrency", entitySetName: "transactioncurrencies", primaryId: "transactioncurrencyid", primaryName: "currencyname",
  },
  systemUser: { logicalName: "systemuser", entitySetName: "systemusers", primaryId: "systemuserid", primaryName: "fullname" },
} as const;
export type TableKey = keyof typeof Tables;
export type TableLogicalName = (typeof Tables)[TableKey]["logicalName"];

/** Standard opportunity columns the connector maps or reads. */
export const OpportunityStandardColumns = {
  id: "opportunityid",
  name: "name",
  estimatedValue: "estimatedvalue",
  estimatedCloseDate: "estimatedclosedate",
  description: "description",
  transactionCurrency: "transactioncurrencyid",
  parentAccount: "parentaccountid",
  parentContact: "parentcontactid",
  customer: "customerid",
  stateCode: "statecode",
  statusCode: "statuscode",
  owner: "ownerid",
  createdOn: "createdon",
  modifiedOn: "modifiedon",
  versionNumber: "versionnumber",
} as const;

/** Opportunity statecode values (standard, not ours). */
export const OpportunityState = { Open: 0, Won: 1, Lost: 2 } as const;

export const AccountColumns = {
  id: "accountid",
  name: "name",
  accountNumber: "accountnumber",
  websiteUrl: "websiteurl",
  city: "address1_city",
  postalCode: "address1_postalcode",
  stateOrProvince: "address1_stateorprovince",
  country: "address1_country",
  line1: "address1_line1",
  numberOfEmployees: "numberofemployees",
  modifiedOn: "modifiedon",
} as const;

export const ContactColumns = {
  id: "contactid",
  firstName: "firstname",
  lastName: "lastname",
  fullName: "fullname",
  email: "emailaddress1",
  phone: "telephone1",
  jobTitle: "jobtitle",
  parentCustomer: "parentcustomerid",
  modifiedOn: "modifiedon",
} as const;

export const CurrencyColumns = {
  id: "transactioncurrencyid",
  isoCode: "isocurrencycode",
  name: "currencyname",
  symbol: "currencysymbol",
  exchangeRate: "exchangerate",
} as const;

export const SystemUserColumns = {
  id: "systemuserid",
  fullName: "fullname",
  email: "internalemailaddress",
} as const;

/** Opportunity statuscode values (standard, not ours): which reason goes with each statecode. */
export const OpportunityStatusCode = { InProgress: 1, OnHold: 2, Won: 3, Canceled: 4, OutSold: 5 } as const;

/**
 * Platform tables used to register the webhook (service endpoint + steps) and to check the installed
 * solution, as the backend's register command and doctor do against a real org.
 */
export const RegistrationTables = {
  serviceEndpoint: { logicalName: "serviceendpoint", entitySetName: "serviceendpoints", primaryId: "serviceendpointid", primaryName: "name" },
  sdkMessage: { logicalName: "sdkmessage", entitySetName: "sdkmessages", primaryId: "sdkmessageid", primaryName: "name" },
  sdkMessageFilter: { logicalName: "sdkmessagefilter", entitySetName: "sdkmessagefilters", primaryId: "sdkmessagefilterid", primaryName: "name" },
  step: {
    logicalName: "sdkmessageprocessingstep", entitySetName: "sdkmessageprocessingsteps", primaryId: "sdkmessageprocessingstepid", primaryName: "name",
  },
  stepImage: {
    logicalName: "sdkmessageprocessingstepimage", entitySetName: "sdkmessageprocessingstepimages",
    primaryId: "sdkmessageprocessingstepimageid", primaryName: "name",
  },
  solution: { logicalName: "solution", entitySetName: "solutions", primaryId: "solutionid", primaryName: "friendlyname" },
  pluginType: { logicalName: "plugintype", entitySetName: "plugintypes", primaryId: "plugintypeid", primaryName: "name" },
} as const;

export const ServiceEndpointColumns = {
  id: "serviceendpointid",
  name: "name",
  description: "description",
  contract: "contract",
  url: "url",
  authType: "authtype",
  authValue: "authvalue",
  messageFormat: "messageformat",
  userClaim: "userclaim",
} as const;

/** serviceendpoint.contract and .authtype values for a webhook. */
export const ServiceEndpointContract = { Webhook: 8 } as const;
export const ServiceEndpointAuthType = { WebhookKey: 4, HttpHeader: 5, HttpQueryString: 6 } as const;

export const SdkMessageColumns = { id: "sdkmessageid", name: "name" } as const;

export const SdkMessageFilterColumns = {
  id: "sdkmessagefilterid",
  message: "sdkmessageid",
  primaryObjectTypeCode: "primaryobjecttypecode",
} as const;

export const StepColumns = {
  id: "sdkmessageprocessingstepid",
  name: "name",
  description: "description",
  message: "sdkmessageid",
  messageFilter: "sdkmessagefilterid",
  eventHandler: "eventhandler",
  stage: "stage",
  mode: "mode",
  rank: "rank",
  filteringAttributes: "filteringattributes",
  supportedDeployment: "supporteddeployment",
  asyncAutoDelete: "asyncautodelete",
  stateCode: "statecode",
} as const;

/** sdkmessageprocessingstep.stage / .mode values. */
export const StepStage = { PreValidation: 10, PreOperation: 20, PostOperation: 40 } as const;
export const StepMode = { Synchronous: 0, Asynchronous: 1 } as const;

export const StepImageColumns = {
  id: "sdkmessageprocessingstepimageid",
  name: "name",
  entityAlias: "entityalias",
  attributes: "attributes",
  messagePropertyName: "messagepropertyname",
  imageType: "imagetype",
  step: "sdkmessageprocessingstepid",
} as const;

export const StepImageType = { PreImage: 0, PostImage: 1, Both: 2 } as const;

export const SolutionColumns = {
  id: "solutionid",
  uniqueName: "uniquename",
  friendlyName: "friendlyname",
  version: "version",
  isManaged: "ismanaged",
} as const;

/** Columns of the opportunityclose activity passed to WinOpportunity / LoseOpportunity. */
export const OpportunityCloseColumns = {
  opportunity: "opportunityid",
  subject: "subject",
  description: "description",
  actualRevenue: "actualrevenue",
  actualEnd: "actualend",
} as const;
