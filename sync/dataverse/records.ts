/**
 * Typed rows of the tables the backend reads and writes, keyed by logical name exactly as the Web API
 * returns them, and derived from entities/: the key sets come from the entities constants, so a column
 * renamed there renames here; only the TypeScript value type of each column is stated in this file.
 * Lookups are EntityRef values; dates are ISO strings (date-only columns "YYYY-MM-DD").
 */
import {
  AccountColumns,
  ContactColumns,
  OPPORTUNITY_COLUMNS,
  OpportunityColumns,
  OpportunityStandardColumns,
  type ColumnType,
  type OpportunityColumnKey,
} from "../../entities";

export interface EntityRef {
  logicalName: string;
  id: string;
  /** The referenced row's primary name, when the server sent it (formatted value). */
  name?: string;
}

/** A read row: its id, the @odata.etag for If-Match, the typed values and the formatted values by column. */
export interface Retrieved<T> {
  id: string;
  etag: string;
  values: T;
  formatted: Record<string, string>;
}

/** Kind of each of our opportunity columns; a test checks it against OPPORTUNITY_COLUMNS. */
export const PCC_COLUMN_KINDS = {
  syncWithPartnerCenter: "boolean",
  referralIdentifier: "text",
  referralLink: "text",
  howCanMicrosoftHelp: "choice",
  products: "memo",
  audit: "memo",
  shareWithMicrosoftSellers: "boolean",
  syncStatus: "choice",
  syncError: "text",
  conflictNotice: "memo",
  lastSyncedOn: "datetime",
  syncRequestedOn: "datetime",
  referralStatus: "choice",
  referralDirection: "choice",
  statusReason: "text",
  microsoftCrmIdentifier: "text",
  microsoftMsxId: "text",
  customerMarketplaceIntent: "choice",
  partnerRole: "choice",
  solutionArea: "choice",
  solutionPlay: "choice",
} as const satisfies Record<OpportunityColumnKey, ColumnType>;

type ValueOfKind<K extends ColumnType> = K extends "boolean" ? boolean : K extends "choice" ? number : string;

/** Our pcc_ columns by logical name with their value types. */
export type OpportunityPccValues = {
  [K in OpportunityColumnKey as (typeof OpportunityColumns)[K]]: ValueOfKind<(typeof PCC_COLUMN_KINDS)[K]> | null;
};

/** Re-keys a { codeName: type } map by the logical names of a columns constant. */
type ByLogicalName<Names extends Record<string, string>, Types extends { [K in keyof Names]: unknown }> = {
  [K in keyof Names as Names[K]]: Types[K];
};

interface OpportunityStandardTypes {
  id: string;
  name: string | null;
  estimatedValue: number | null;
  estimatedCloseDate: string | null;
  description: string | null;
  transactionCurrency: EntityRef | null;
  parentAccount: EntityRef | null;
  parentContact: EntityRef | null;
  customer: EntityRef | null;
  stateCode: number;
  statusCode: number;
  owner: EntityRef | null;
  createdOn: string;
  modifiedOn: string;
  versionNumber: number;
}

interface AccountTypes {
  id: string;
  name: string | null;
  accountNumber: string | null;
  websiteUrl: string | null;
  city: string | null;
  postalCode: string | null;
  stateOrProvince: string | null;
  country: string | null;
  line1: string | null;
  numberOfEmployees: number | null;
  modifiedOn: string;
}

interface ContactTypes {
  id: string;
  firstName: string | null;
  lastName: string | null;
  fullName: string | null;
  email: string | null;
  phone: string | null;
  jobTitle: string | null;
  parentCustomer: EntityRef | null;
  modifiedOn: string;
}

export type OpportunityValues = ByLogicalName<typeof OpportunityStandardColumns, OpportunityStandardTypes> & OpportunityPccValues;
export type AccountValues = ByLogicalName<typeof AccountColumns, AccountTypes>;
export type ContactValues = ByLogicalName<typeof ContactColumns, ContactTypes>;

/** Columns the platform sets; a write never carries them. */
type PlatformSet = "createdon" | "modifiedon" | "versionnumber" | "fullname";
type Writable<T> = Partial<Omit<T, PlatformSet>>;

export type OpportunityWrite = Writable<OpportunityValues>;
export type AccountWrite = Writable<AccountValues>;
export type ContactWrite = Writable<ContactValues>;

/** Lookup columns per table (they travel as _x_value on read and x@odata.bind on write). */
export const LOOKUP_COLUMNS: Record<string, readonly string[]> = {
  opportunity: [
    OpportunityStandardColumns.transactionCurrency,
    OpportunityStandardColumns.parentAccount,
    OpportunityStandardColumns.parentContact,
    OpportunityStandardColumns.customer,
    OpportunityStandardColumns.owner,
  ],
  account: [],
  contact: [ContactColumns.parentCustomer],
};

export const OPPORTUNITY_SELECT: readonly string[] = [...Object.values(OpportunityStandardColumns), ...OPPORTUNITY_COLUMNS.map((c) => c.logicalName)];
export const ACCOUNT_SELECT: readonly string[] = Object.values(AccountColumns);
export const CONTACT_SELECT: readonly string[] = Object.values(ContactColumns);
