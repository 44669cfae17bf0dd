/**
 * Names of the standard Dataverse tables and columns the connector touches. They are spelled here
 * once so that the backend, the sandbox and the browser code share them (DESIGN.md section 3).
 */

export const Tables = {
  opportunity: { logicalName: "opportunity", entitySetName: "opportunities", primaryId: "opportunityid", primaryName: "name" },
  account: { logicalName: "account", entitySetName: "accounts", primaryId: "accountid", primaryName: "name" },
  contact: { logicalName: "contact", entitySetName: "contacts", primaryId: "contactid", primaryName: "fullname" },
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
