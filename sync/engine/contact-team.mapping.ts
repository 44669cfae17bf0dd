/**
 * Contacts ⇄ customerProfile.team. docs/DESIGN.md 5 pairs them by e-mail: the e-mail is the only field
 * both sides treat as an identity (names are spelled differently, phones change). Members without an
 * e-mail are still sent to Partner Center but never create a contact, because we could never find
 * that contact again and would duplicate it on every sync.
 */
import { Tables } from "../../entities";
import type { Member } from "../partner-center/referral-types";
import { DEFAULT_MAPPING, type ContactMapping } from "./field-mapping.config";
import { normalizeText } from "./mapped-fields";
import type { DataverseRecord } from "./opportunity-referral.mapping";

export function normalizeEmail(value: unknown): string | null {
  const text = normalizeText(value);
  return text !== null && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) ? text.toLowerCase() : null;
}

export function contactToMember(record: DataverseRecord, mapping: ContactMapping = DEFAULT_MAPPING.contact): Member {
  const member: Record<string, string> = {};
  const put = (key: keyof Member, value: string | null) => {
    if (value !== null) member[key] = value;
  };
  put("firstName", normalizeText(record[mapping.firstName]));
  put("lastName", normalizeText(record[mapping.lastName]));
  put("email", normalizeEmail(record[mapping.email]));
  put("phoneNumber", normalizeText(record[mapping.phone]));
  return member;
}

/** The customer's team for a referral: one member per distinct e-mail, members without e-mail kept. */
export function contactsToTeam(records: readonly DataverseRecord[], mapping: ContactMapping = DEFAULT_MAPPING.contact): Member[] {
  const seen = new Set<string>();
  const team: Member[] = [];
  for (const record of records) {
    const member = contactToMember(record, mapping);
    if (member.email) {
      if (seen.has(member.email)) continue;
      seen.add(member.email);
    }
    if (member.email || member.firstName || member.lastName || member.phoneNumber) team.push(member);
  }
  return team;
}

export interface TeamMatch {
  /** Members that already have a contact (same e-mail, case-insensitive). */
  readonly matched: readonly { readonly member: Member; readonly contactId: string }[];
  /** Members with an e-mail and no contact yet: create these. */
  readonly toCreate: readonly Member[];
  /** Members without a usable e-mail: not created (see the module comment). */
  readonly skipped: readonly Member[];
}

export function matchTeamToContacts(
  team: readonly Member[],
  contacts: readonly DataverseRecord[],
  mapping: ContactMapping = DEFAULT_MAPPING.contact,
): TeamMatch {
  const byEmail = new Map<string, string>();
  for (const c of contacts) {
    const email = normalizeEmail(c[mapping.email]);
    const id = c[Tables.contact.primaryId];
    if (email && typeof id === "string" && !byEmail.has(email)) byEmail.set(email, id);
  }
  const matched: { member: Member; contactId: string }[] = [];
  const toCreate: Member[] = [];
  const skipped: Member[] = [];
  const planned = new Set<string>();
  for (const member of team) {
    const email = normalizeEmail(member.email);
    if (!email) {
      skipped.push(member);
      continue;
    }
    const contactId = byEmail.get(email);
    if (contactId) matched.push({ member, contactId });
    else if (!planned.has(email)) {
      planned.add(email);
      toCreate.push(member);
    }
  }
  return { matched, toCreate, skipped };
}

/** Body of the POST that creates a contact for a team member, under the matched or created account. */
export function contactCreateBody(
  member: Member,
  accountId: string | null,
  mapping: ContactMapping = DEFAULT_MAPPING.contact,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const put = (column: string, value: unknown) => {
    if (value !== null && value !== undefined) body[column] = value;
  };
  put(mapping.firstName, normalizeText(member.firstName));
  // Dataverse requires a last name on a contact; the e-mail's local part is better than failing.
  put(mapping.lastName, normalizeText(member.lastName) ?? normalizeEmail(member.email)?.split("@")[0] ?? null);
  put(mapping.email, normalizeEmail(member.email));
  put(mapping.phone, normalizeText(member.phoneNumber));
  // parentcustomerid is polymorphic: the navigation property names the target table.
  if (accountId) body[`${mapping.parentCustomer}_${Tables.account.logicalName}@odata.bind`] = `/${Tables.account.entitySetName}(${accountId})`;
  return body;
}
