/**
 * Finds the account for a referral's customer, in docs/DESIGN.md 5 order: the linked account; a DUNS or
 * external id; normalized name + postal code + country; a customer contact's e-mail domain against
 * the account's website; else create. "Never two accounts for one customer": when a step finds
 * several accounts it picks one deterministically (the oldest, then the smallest id) instead of
 * falling through to create, and the caller must pass every account that could match.
 */
import type { AccountFields } from "./account-customer.mapping";
import { toCountryCode } from "./account-customer.mapping";
import { normalizeEmail } from "./contact-team.mapping";

export interface AccountCandidate extends AccountFields {
  readonly id: string;
  /** ISO date-time; used only to break ties. */
  readonly createdOn?: string | null;
}

export interface AccountMatchInput {
  /** The account the link already points at, if any. */
  readonly linkedAccountId?: string | null;
  readonly customer: AccountFields;
  /** E-mails of the customer's contacts (customerProfile.team). */
  readonly contactEmails: readonly string[];
}

export type AccountMatchRule = "linked" | "duns" | "external-id" | "name-postal-country" | "email-domain";

export type AccountMatch =
  | { readonly kind: "matched"; readonly accountId: string; readonly rule: AccountMatchRule; readonly ambiguous: readonly string[] }
  | { readonly kind: "create" };

/** Legal-form words dropped from the end of a name ("Contoso S.p.A." = "Contoso SpA" = "contoso"). */
const LEGAL_SUFFIXES = new Set([
  "inc", "incorporated", "corp", "corporation", "co", "company", "llc", "llp", "lp", "ltd", "limited", "plc",
  "gmbh", "ag", "kg", "gmbhcokg", "ohg", "ug", "ev", "sa", "sas", "sarl", "sasu", "spa", "srl", "srls", "snc",
  "sapa", "bv", "nv", "vof", "ab", "as", "asa", "oy", "oyj", "aps", "pty", "kk", "sl", "slu", "sau", "lda",
  "sro", "spzoo", "zoo", "kft", "doo", "group", "holding",
]);

/**
 * Lower case, accents off, dots and apostrophes removed (so S.p.A. → spa), other punctuation as
 * spaces, "&" as "and", trailing legal-form words dropped.
 */
export function normalizeCompanyName(name: string | null): string | null {
  if (!name) return null;
  const words = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[.'’]/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .split(" ")
    .filter(Boolean);
  // "GmbH & Co. KG" and "Sp. z o.o." span several words; keep dropping while a suffix ends the name.
  while (words.length > 1) {
    const last = words[words.length - 1] as string;
    const lastTwo = words.slice(-2).join("");
    const lastThree = words.slice(-3).join("");
    if (words.length > 3 && LEGAL_SUFFIXES.has(lastThree)) words.splice(-3);
    else if (words.length > 2 && LEGAL_SUFFIXES.has(lastTwo)) words.splice(-2);
    else if (LEGAL_SUFFIXES.has(last)) words.pop();
    else if (last === "and" || last === "co") words.pop();
    else break;
  }
  const result = words.join(" ");
  return result === "" ? null : result;
}

function normalizePostalCode(code: string | null): string | null {
  const text = code?.replace(/[\s-]/g, "").toUpperCase();
  return text ? text : null;
}

/** Web-mail domains say nothing about the employer. */
const PUBLIC_MAIL_DOMAINS = new Set([
  "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "icloud.com",
  "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net", "web.de", "libero.it", "virgilio.it",
  "tiscali.it", "alice.it", "tin.it", "hotmail.it", "yahoo.it", "orange.fr", "free.fr", "mail.com",
]);

export function websiteDomain(url: string | null): string | null {
  if (!url) return null;
  const text = url.trim().toLowerCase();
  try {
    const host = new URL(/^[a-z]+:\/\//.test(text) ? text : `https://${text}`).hostname;
    return host.replace(/^www\d*\./, "") || null;
  } catch {
    return null;
  }
}

function emailMatchesDomain(email: string, domain: string): boolean {
  const emailDomain = email.slice(email.indexOf("@") + 1);
  return emailDomain === domain || emailDomain.endsWith(`.${domain}`);
}

function pick(rule: AccountMatchRule, hits: readonly AccountCandidate[]): AccountMatch | null {
  if (hits.length === 0) return null;
  const sorted = [...hits].sort(
    (a, b) => (a.createdOn ?? "\uffff").localeCompare(b.createdOn ?? "\uffff") || a.id.localeCompare(b.id),
  );
  const [first, ...rest] = sorted as [AccountCandidate, ...AccountCandidate[]];
  return { kind: "matched", accountId: first.id, rule, ambiguous: rest.map((a) => a.id) };
}

const same = (a: string | null, b: string | null) => a !== null && b !== null && a.trim().toLowerCase() === b.trim().toLowerCase();

export function matchAccount(input: AccountMatchInput, candidates: readonly AccountCandidate[]): AccountMatch {
  const { customer } = input;
  if (input.linkedAccountId) {
    const linked = candidates.find((a) => a.id.toLowerCase() === input.linkedAccountId?.toLowerCase());
    // A linked account that was deleted falls through to the other rules rather than failing.
    if (linked) return { kind: "matched", accountId: linked.id, rule: "linked", ambiguous: [] };
  }
  const byDuns = pick("duns", candidates.filter((a) => same(a.duns, customer.duns)));
  if (byDuns) return byDuns;
  // Our own referrals carry our account id as the External id; others may carry an account number.
  const byExternal = pick(
    "external-id",
    candidates.filter((a) => same(a.id, customer.externalId) || same(a.externalId, customer.externalId)),
  );
  if (byExternal) return byExternal;

  const name = normalizeCompanyName(customer.name);
  const postal = normalizePostalCode(customer.postalCode);
  const country = toCountryCode(customer.country);
  if (name && postal && country) {
    const byName = pick(
      "name-postal-country",
      candidates.filter(
        (a) =>
          normalizeCompanyName(a.name) === name &&
          normalizePostalCode(a.postalCode) === postal &&
          toCountryCode(a.country) === country,
      ),
    );
    if (byName) return byName;
  }

  const emails = input.contactEmails
    .map(normalizeEmail)
    .filter((e): e is string => e !== null && !PUBLIC_MAIL_DOMAINS.has(e.slice(e.indexOf("@") + 1)));
  if (emails.length > 0) {
    const byDomain = pick(
      "email-domain",
      candidates.filter((a) => {
        const domain = websiteDomain(a.websiteUrl);
        return domain !== null && !PUBLIC_MAIL_DOMAINS.has(domain) && emails.some((e) => emailMatchesDomain(e, domain));
      }),
    );
    if (byDomain) return byDomain;
  }
  return { kind: "create" };
}
