/**
 * Which Dataverse column carries each mapped field (docs/DESIGN.md 5 default mapping), the admin's
 * override file that can re-point a column, and the start-up check against the org's metadata.
 * The override is deliberately narrow: it re-points columns and picks conflict policies; it cannot
 * invent new fields, because every field needs normalization and merge rules the engine knows.
 */
import { z } from "zod";
import {
  AccountColumns,
  ContactColumns,
  OpportunityColumns,
  OpportunityStandardColumns,
  Tables,
} from "../../entities";
import { MappingConfigError } from "./engine-errors";
import { MAPPED_FIELD_NAMES, type MappedFieldName } from "./mapped-fields";

/** Opportunity columns per mapped field. `status` is pcc_referralstatus; statecode is never re-pointed. */
export type OpportunityMapping = Readonly<Record<MappedFieldName, string>>;

export const ACCOUNT_FIELDS = [
  "name",
  "line1",
  "city",
  "stateOrProvince",
  "postalCode",
  "country",
  "websiteUrl",
  "numberOfEmployees",
  "externalId",
  "duns",
] as const;
export type AccountField = (typeof ACCOUNT_FIELDS)[number];
/** null = the org has no column for it (DUNS has no standard column); matching then skips that step. */
export type AccountMapping = Readonly<Record<AccountField, string | null>>;

export const CONTACT_FIELDS = ["firstName", "lastName", "email", "phone", "parentCustomer"] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];
export type ContactMapping = Readonly<Record<ContactField, string>>;

export const CONFLICT_POLICIES = ["latest-wins", "crm-wins", "partner-center-wins"] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

export interface ConflictPolicySetting {
  readonly default: ConflictPolicy;
  readonly fields: Readonly<Partial<Record<MappedFieldName, ConflictPolicy>>>;
}

/** Which way a field syncs (the mapping rows' pcc_direction; the codes of MAPPING_DIRECTION_OPTIONS). */
export const MAPPING_DIRECTIONS = ["both", "to-partner-center", "to-dynamics-365"] as const;
export type MappingDirection = (typeof MAPPING_DIRECTIONS)[number];

export interface SyncMapping {
  readonly opportunity: OpportunityMapping;
  readonly account: AccountMapping;
  readonly contact: ContactMapping;
  readonly conflictPolicy: ConflictPolicySetting;
  /** Opportunity fields that sync one way only (absent: both ways). Set by the mapping rows (sync/mapping). */
  readonly directions?: Readonly<Partial<Record<MappedFieldName, MappingDirection>>>;
  /** Option value of each help code on the helpCode column, when it is not pcc_howcanmicrosofthelp's own. */
  readonly helpCodeOptions?: Readonly<Partial<Record<string, number>>>;
}

export const DEFAULT_MAPPING: SyncMapping = {
  opportunity: {
    name: OpportunityStandardColumns.name,
    dealValue: OpportunityStandardColumns.estimatedValue,
    currency: OpportunityStandardColumns.transactionCurrency,
    closingDate: OpportunityStandardColumns.estimatedCloseDate,
    notes: OpportunityStandardColumns.description,
    helpCode: OpportunityColumns.howCanMicrosoftHelp,
    solutionIds: OpportunityColumns.products,
    shareWithMicrosoftSellers: OpportunityColumns.shareWithMicrosoftSellers,
    status: OpportunityColumns.referralStatus,
    statusReason: OpportunityColumns.statusReason,
  },
  account: {
    name: AccountColumns.name,
    line1: AccountColumns.line1,
    city: AccountColumns.city,
    stateOrProvince: AccountColumns.stateOrProvince,
    postalCode: AccountColumns.postalCode,
    country: AccountColumns.country,
    websiteUrl: AccountColumns.websiteUrl,
    numberOfEmployees: AccountColumns.numberOfEmployees,
    externalId: AccountColumns.accountNumber,
    duns: null,
  },
  contact: {
    firstName: ContactColumns.firstName,
    lastName: ContactColumns.lastName,
    email: ContactColumns.email,
    phone: ContactColumns.phone,
    parentCustomer: ContactColumns.parentCustomer,
  },
  conflictPolicy: { default: "latest-wins", fields: {} },
};

/** A Dataverse logical name: lower case, starts with a letter (publisher prefixes included). */
const ColumnNameSchema = z.string().regex(/^[a-z][a-z0-9_]{0,99}$/, "must be a lower-case Dataverse logical name");
const PolicySchema = z.enum(CONFLICT_POLICIES);

function columnMapSchema<const K extends readonly string[]>(keys: K, nullable: boolean) {
  const value = nullable ? ColumnNameSchema.nullable() : ColumnNameSchema;
  return z.strictObject(Object.fromEntries(keys.map((k) => [k, value.optional()])) as Record<K[number], z.ZodOptional<typeof value>>);
}

export const MappingOverrideSchema = z.strictObject({
  /** Free text for the admin's own notes; ignored. */
  $comment: z.string().optional(),
  opportunity: columnMapSchema(MAPPED_FIELD_NAMES, false).optional(),
  account: columnMapSchema(ACCOUNT_FIELDS, true).optional(),
  contact: columnMapSchema(CONTACT_FIELDS, false).optional(),
  conflictPolicy: z
    .strictObject({
      default: PolicySchema.optional(),
      fields: z.strictObject(Object.fromEntries(MAPPED_FIELD_NAMES.map((k) => [k, PolicySchema.optional()]))).optional(),
    })
    .optional(),
});
export type MappingOverride = z.infer<typeof MappingOverrideSchema>;

/** Parses the override file's text; every problem is listed, with its JSON path. */
export function parseMappingOverride(text: string, source = "mapping file"): MappingOverride {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new MappingConfigError(`${source} is not valid JSON: ${(cause as Error).message}`, [], { cause });
  }
  const result = MappingOverrideSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
    throw new MappingConfigError(`${source} is invalid:\n- ${problems.join("\n- ")}`, problems, { cause: result.error });
  }
  return result.data;
}

/** The default mapping with the override applied on top. */
export function resolveMapping(override: MappingOverride | undefined): SyncMapping {
  if (!override) return DEFAULT_MAPPING;
  const pick = <T extends object>(base: T, patch: object | undefined): T => {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(patch ?? {})) if (v !== undefined) out[k] = v;
    return out as T;
  };
  return {
    opportunity: pick(DEFAULT_MAPPING.opportunity, override.opportunity),
    account: pick(DEFAULT_MAPPING.account, override.account),
    contact: pick(DEFAULT_MAPPING.contact, override.contact),
    conflictPolicy: {
      default: override.conflictPolicy?.default ?? DEFAULT_MAPPING.conflictPolicy.default,
      fields: pick(DEFAULT_MAPPING.conflictPolicy.fields, override.conflictPolicy?.fields),
    },
  };
}

export type MappedTable = "opportunity" | "account" | "contact";

export interface MissingColumn {
  readonly table: MappedTable;
  readonly column: string;
  /** The mapped field (or "sync bookkeeping") that needs the column. */
  readonly field: string;
}

/** Columns the service writes besides the mapped fields; the solution defines them. */
const BOOKKEEPING_COLUMNS = [
  OpportunityColumns.syncWithPartnerCenter,
  OpportunityColumns.referralIdentifier,
  OpportunityColumns.referralLink,
  OpportunityColumns.audit,
  OpportunityColumns.syncStatus,
  OpportunityColumns.syncError,
  OpportunityColumns.lastSyncedOn,
  OpportunityColumns.syncRequestedOn,
  OpportunityColumns.referralDirection,
  OpportunityStandardColumns.stateCode,
  OpportunityStandardColumns.modifiedOn,
];

/**
 * Every column the mapping (and the sync bookkeeping) needs that the org's metadata lacks. An empty
 * list means the service may start; otherwise wrap it in MissingColumnsError, whose message names each.
 * `columnNames` holds each table's attribute logical names (EntityDefinitions/Attributes).
 */
export function checkMappingAgainstMetadata(
  mapping: SyncMapping,
  columnNames: Readonly<Record<MappedTable, Iterable<string>>>,
): MissingColumn[] {
  const missing: MissingColumn[] = [];
  const check = (table: MappedTable, entries: Iterable<[string, string | null]>) => {
    const present = new Set([...columnNames[table]].map((c) => c.toLowerCase()));
    const seen = new Set<string>();
    for (const [field, column] of entries) {
      if (column === null || present.has(column) || seen.has(column)) continue;
      seen.add(column);
      missing.push({ table, column, field });
    }
  };
  check("opportunity", [
    ...Object.entries(mapping.opportunity),
    ...BOOKKEEPING_COLUMNS.map((c): [string, string] => ["sync bookkeeping", c]),
  ]);
  check("account", Object.entries(mapping.account));
  check("contact", Object.entries(mapping.contact));
  return missing;
}

/** Entity set of the currency table, for `@odata.bind` of the currency lookup. */
export const CURRENCY_ENTITY_SET = Tables.transactionCurrency.entitySetName;
