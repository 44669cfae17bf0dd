/**
 * Account ⇄ referral customerProfile (name, address, country ISO-2, size, ids). Country is the one
 * field Partner Center is strict about (ISO 3166 alpha-2), while Dataverse's address1_country is free
 * text that often says "Italy" or "Italia"; toCountryCode reads both, using the runtime's ICU region
 * names so no country table has to be maintained here.
 */
import { Tables } from "../../entities";
import { CUSTOMER_SIZES, type CustomerProfile, type Member } from "../partner-center/referral-types";
import { DEFAULT_MAPPING, type AccountMapping } from "./field-mapping.config";
import { normalizeText } from "./mapped-fields";
import type { DataverseRecord } from "./opportunity-referral.mapping";

const NOT_COUNTRIES = new Set(["EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"]);

let regionIndex: { byName: Map<string, string>; codes: Set<string> } | undefined;

/** name (lower case, no accents) → ISO-2, for English and Italian names (the languages we ship). */
function regions(): { byName: Map<string, string>; codes: Set<string> } {
  if (regionIndex) return regionIndex;
  regionIndex = { byName: new Map(), codes: new Set() };
  const names = ["en", "it"].map((lang) => new Intl.DisplayNames([lang], { type: "region", fallback: "none" }));
  const A = "A".charCodeAt(0);
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j);
      for (const dn of names) {
        let name: string | undefined;
        try {
          name = dn.of(code);
        } catch {
          name = undefined;
        }
        // ICU also names deprecated aliases (UK → GB, DD → DE) and groupings (EU, UN); Partner
        // Center wants the current ISO code, so aliases and groupings are skipped.
        if (!name || name === code || NOT_COUNTRIES.has(code)) continue;
        if (Intl.getCanonicalLocales(`und-${code}`)[0] !== `und-${code}`) continue;
        regionIndex.byName.set(foldName(name), code);
        regionIndex.codes.add(code);
      }
    }
  }
  return regionIndex;
}

function foldName(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** ISO 3166 alpha-2 for a code or an English/Italian country name; null when unknown. */
export function toCountryCode(value: unknown): string | null {
  const text = normalizeText(value);
  if (text === null) return null;
  if (/^[A-Za-z]{2}$/.test(text)) {
    const code = text.toUpperCase();
    return regions().codes.has(code) ? code : null;
  }
  return regions().byName.get(foldName(text)) ?? null;
}

/** Partner Center's newer size buckets, with their lower bound in employees. */
const SIZE_BUCKETS: readonly (readonly [number, (typeof CUSTOMER_SIZES)[number]])[] = [
  [20001, "Morethan20000employees"],
  [10001, "10001to20000employees"],
  [5001, "5001to10000employees"],
  [1001, "1001to5000employees"],
  [251, "251to1000employees"],
  [51, "51to250employees"],
  [10, "10to50employees"],
  [1, "1to9employees"],
];

export function sizeFromEmployees(count: unknown): string | null {
  if (typeof count !== "number" || !Number.isFinite(count) || count < 1) return null;
  return SIZE_BUCKETS.find(([min]) => count >= min)?.[1] ?? null;
}

/** The lower bound of a size bucket (old or new list), as a plausible employee count for a new account. */
export function employeesFromSize(size: unknown): number | null {
  if (typeof size !== "string") return null;
  const match = /^(?:(\d+)to\d+|Morethan(\d+))employees$/i.exec(size);
  if (!match) return null;
  return match[1] !== undefined ? Number(match[1]) : Number(match[2]) + 1;
}

/** What account matching and the create body need from an account, independent of column names. */
export interface AccountFields {
  readonly id: string | null;
  readonly name: string | null;
  readonly line1: string | null;
  readonly city: string | null;
  readonly stateOrProvince: string | null;
  readonly postalCode: string | null;
  /** ISO-2 when recognisable, otherwise the text as stored (pre-flight reports it). */
  readonly country: string | null;
  readonly websiteUrl: string | null;
  readonly numberOfEmployees: number | null;
  readonly externalId: string | null;
  readonly duns: string | null;
}

export function accountToFields(record: DataverseRecord, mapping: AccountMapping = DEFAULT_MAPPING.account): AccountFields {
  const read = (column: string | null) => (column === null ? null : normalizeText(record[column]));
  const rawCountry = read(mapping.country);
  const employees = mapping.numberOfEmployees === null ? null : record[mapping.numberOfEmployees];
  const id = record[Tables.account.primaryId];
  return {
    id: typeof id === "string" ? id : null,
    name: read(mapping.name),
    line1: read(mapping.line1),
    city: read(mapping.city),
    stateOrProvince: read(mapping.stateOrProvince),
    postalCode: read(mapping.postalCode),
    country: toCountryCode(rawCountry) ?? rawCountry,
    websiteUrl: read(mapping.websiteUrl),
    numberOfEmployees: typeof employees === "number" ? employees : null,
    externalId: read(mapping.externalId),
    duns: read(mapping.duns),
  };
}

/**
 * customerProfile for a referral we create. Our account id goes out as the External id so that a
 * referral coming back (or a copy made by Microsoft) matches this account first time.
 */
export function customerProfileFromAccount(account: AccountFields, team: readonly Member[]): CustomerProfile {
  const ids: { profileType: "Duns" | "External"; id: string }[] = [];
  if (account.duns) ids.push({ profileType: "Duns", id: account.duns });
  if (account.id) ids.push({ profileType: "External", id: account.id });
  return {
    name: account.name ?? "",
    address: {
      addressLine1: account.line1,
      city: account.city,
      state: account.stateOrProvince,
      postalCode: account.postalCode,
      country: account.country,
    },
    size: sizeFromEmployees(account.numberOfEmployees),
    ids,
    team: [...team],
  };
}

export function customerProfileToFields(profile: CustomerProfile): AccountFields {
  const address = profile.address;
  const rawCountry = normalizeText(address?.country);
  return {
    id: null,
    name: normalizeText(profile.name),
    line1: normalizeText(address?.addressLine1),
    city: normalizeText(address?.city),
    stateOrProvince: normalizeText(address?.state),
    postalCode: normalizeText(address?.postalCode),
    country: toCountryCode(rawCountry) ?? rawCountry,
    websiteUrl: null,
    numberOfEmployees: employeesFromSize(profile.size),
    externalId: normalizeText(profile.ids?.find((i) => i.profileType === "External")?.id),
    duns: normalizeText(profile.ids?.find((i) => i.profileType === "Duns")?.id),
  };
}

/**
 * Body of the POST that creates the account when matching found none. The External id is not
 * written to the account number: an External id sent by someone else is their id, not our number.
 */
export function accountCreateBody(fields: AccountFields, mapping: AccountMapping = DEFAULT_MAPPING.account): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const put = (column: string | null, value: unknown) => {
    if (column !== null && value !== null && value !== undefined) body[column] = value;
  };
  put(mapping.name, fields.name);
  put(mapping.line1, fields.line1);
  put(mapping.city, fields.city);
  put(mapping.stateOrProvince, fields.stateOrProvince);
  put(mapping.postalCode, fields.postalCode);
  put(mapping.country, fields.country);
  put(mapping.numberOfEmployees, fields.numberOfEmployees);
  put(mapping.duns, fields.duns);
  return body;
}
