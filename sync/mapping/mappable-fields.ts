/**
 * The Partner Center fields a mapping row may name (pcc_partnercenterfield), each with the table its
 * column lives on, the slot of SyncMapping it fills and the Dataverse attribute types that can carry
 * it. The engine knows how to normalize and merge each of these; a row cannot invent a new field.
 */
import { HowCanMicrosoftHelp, REFERRAL_STATUS_OPTIONS } from "../../entities";
import {
  ACCOUNT_FIELDS,
  CONTACT_FIELDS,
  DEFAULT_MAPPING,
  HELP_CODES,
  MAPPED_FIELD_NAMES,
  type AccountField,
  type ContactField,
  type MappedFieldName,
  type SyncMapping,
} from "../engine";

export type MappableTable = "opportunity" | "account" | "contact";

export type FieldSlot =
  | { readonly table: "opportunity"; readonly field: MappedFieldName }
  | { readonly table: "account"; readonly field: AccountField }
  | { readonly table: "contact"; readonly field: ContactField };

/** A choice field: Partner Center's values and their option values on the solution's own column. */
export interface ChoiceValues {
  readonly values: readonly string[];
  readonly defaultOptions: Readonly<Record<string, number>>;
  /** Whether a value map can re-map them (the status choice drives the referral's lifecycle: it cannot). */
  readonly valueMapAllowed: boolean;
}

export interface MappableField {
  /** As written in pcc_partnercenterfield: "dealValue", "customer.city", "contact.email". */
  readonly key: string;
  readonly slot: FieldSlot;
  /** Dataverse AttributeType values (EntityDefinitions/Attributes) that can carry the field. */
  readonly types: readonly string[];
  readonly choice?: ChoiceValues;
  /** Only opportunity fields (and not status) sync one way: customer and contact fields are copied on creation. */
  readonly oneWayAllowed: boolean;
  /** The column may be left empty: the field is then not mapped (DUNS has no standard column). */
  readonly columnOptional: boolean;
}

const TEXT = ["String", "Memo"] as const;

const OPPORTUNITY_TYPES: Readonly<Record<MappedFieldName, readonly string[]>> = {
  name: TEXT,
  dealValue: ["Money", "Decimal", "Double"],
  currency: ["Lookup"],
  closingDate: ["DateTime"],
  notes: TEXT,
  helpCode: ["Picklist"],
  solutionIds: TEXT,
  shareWithMicrosoftSellers: ["Boolean"],
  status: ["Picklist"],
  statusReason: TEXT,
};

const ACCOUNT_TYPES: Readonly<Record<AccountField, readonly string[]>> = {
  name: TEXT, line1: TEXT, city: TEXT, stateOrProvince: TEXT, postalCode: TEXT, country: TEXT,
  websiteUrl: TEXT, numberOfEmployees: ["Integer"], externalId: TEXT, duns: TEXT,
};

const CONTACT_TYPES: Readonly<Record<ContactField, readonly string[]>> = {
  firstName: TEXT, lastName: TEXT, email: TEXT, phone: TEXT, parentCustomer: ["Customer", "Lookup"],
};

const CHOICES: Partial<Record<MappedFieldName, ChoiceValues>> = {
  helpCode: { values: HELP_CODES, defaultOptions: Object.fromEntries(HELP_CODES.map((code) => [code, HowCanMicrosoftHelp[code]])), valueMapAllowed: true },
  status: {
    values: REFERRAL_STATUS_OPTIONS.map((option) => option.code),
    defaultOptions: Object.fromEntries(REFERRAL_STATUS_OPTIONS.map((option) => [option.code, option.value])),
    valueMapAllowed: false,
  },
};

export const MAPPABLE_FIELDS: readonly MappableField[] = [
  ...MAPPED_FIELD_NAMES.map((field): MappableField => ({
    key: field, slot: { table: "opportunity", field }, types: OPPORTUNITY_TYPES[field],
    ...(CHOICES[field] ? { choice: CHOICES[field] } : {}),
    oneWayAllowed: field !== "status", columnOptional: false,
  })),
  ...ACCOUNT_FIELDS.map((field): MappableField => ({
    key: `customer.${field}`, slot: { table: "account", field }, types: ACCOUNT_TYPES[field], oneWayAllowed: false, columnOptional: field === "duns",
  })),
  ...CONTACT_FIELDS.map((field): MappableField => ({
    key: `contact.${field}`, slot: { table: "contact", field }, types: CONTACT_TYPES[field], oneWayAllowed: false, columnOptional: false,
  })),
];

const BY_KEY = new Map(MAPPABLE_FIELDS.map((field) => [field.key.toLowerCase(), field]));

/** The field a row names (case-insensitive), or undefined. */
export function mappableField(key: string): MappableField | undefined {
  return BY_KEY.get(key.trim().toLowerCase());
}

/** The column `mapping` gives the field (null: not mapped). */
export function columnOf(mapping: SyncMapping, slot: FieldSlot): string | null {
  if (slot.table === "opportunity") return mapping.opportunity[slot.field];
  if (slot.table === "account") return mapping.account[slot.field];
  return mapping.contact[slot.field];
}

/** The default mapping's column of a field: what the shipped rows say. */
export function defaultColumnOf(field: MappableField): string | null {
  return columnOf(DEFAULT_MAPPING, field.slot);
}
