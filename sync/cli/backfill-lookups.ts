/**
 * The backfill's Dataverse gateway. When a page of referrals is listed, its customers' candidate
 * accounts and its team members' contacts are looked up in a few queries (prefetchPage), instead of
 * one query of each kind per referral. The job handler still asks its own questions
 * (accountCandidates, contactsByEmail) and gets the page's answer filtered down to that question —
 * unless an account or contact that could be part of the answer was created by this process after
 * the page's query was sent (or is being created): then it asks Dataverse live, as without a page.
 * So a customer's second referral always sees the account its first one created (never two accounts
 * for one customer), and an account that existed before the page is in the page's answer.
 */
import { AccountColumns, ContactColumns } from "../../entities";
import { odataString } from "../dataverse/odata-rows";
import { customerProfileToFields } from "../engine";
import type { Referral } from "../partner-center/referral-types";
import { CrmGateway, type CrmRow } from "../worker/crm-gateway";

/** Two clauses of ~40 characters per customer: the GET's URL stays a few KB, as the opportunity lookup's. */
const CUSTOMERS_PER_QUERY = 25;
const EMAILS_PER_QUERY = 50;
/** Answers are kept for the page being run and the one listed ahead (a lookup beyond that asks live). */
const PAGES_KEPT = 3;

/**
 * Text as Dataverse's $filter `eq` compares it under the default collation (case and accents
 * ignored, trailing spaces ignored, ß = ss), made looser still: two values Dataverse finds equal
 * always have the same key, so filtering the page's rows by key never drops a row the live query
 * returns (a few more rows are harmless: the matcher decides among candidates).
 */
export function comparisonKey(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const key = value
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/ß/g, "ss")
    .replace(/æ/g, "ae")
    .replace(/œ/g, "oe")
    .replace(/\s+/g, " ")
    .trim();
  return key === "" ? null : key;
}

/**
 * Creates made by this process, by the keys through which a query could find the new row (its name,
 * postal code or e-mail as sent: a column the body leaves empty matches no `eq`), on one clock with
 * the page queries: a page's answer covers a key only if every create touching it had finished
 * before the page's query was sent.
 */
class CreationLog {
  private clock = 0;
  private readonly running = new Map<string, number>();
  private readonly lastDone = new Map<string, number>();

  tick(): number {
    return ++this.clock;
  }

  async record<T>(keys: readonly string[], create: () => Promise<T>): Promise<T> {
    for (const key of keys) this.running.set(key, (this.running.get(key) ?? 0) + 1);
    try {
      return await create();
    } finally {
      // A failed create may still have written the row (a timeout): it counts as done now.
      const done = this.tick();
      for (const key of keys) {
        const left = (this.running.get(key) ?? 1) - 1;
        if (left === 0) this.running.delete(key);
        else this.running.set(key, left);
        this.lastDone.set(key, done);
      }
    }
  }

  /** True when a query sent at `sentAt` saw every row created under these keys. */
  covers(keys: readonly string[], sentAt: number): boolean {
    return keys.every((key) => !this.running.has(key) && (this.lastDone.get(key) ?? -1) < sentAt);
  }

  /** Forgets creates finished before `sentAt`: every answer still kept was sent after them (so saw them). */
  forgetBefore(sentAt: number): void {
    for (const [key, done] of this.lastDone) if (done < sentAt) this.lastDone.delete(key);
  }
}

interface PageAnswer {
  rows: CrmRow[];
  sentAt: number;
  page: number;
}

/** A column's key (null: empty, which no `eq` on a value matches). */
const keyed = (column: string) => (value: unknown) => {
  const key = comparisonKey(value);
  return key === null ? null : `${column}:${key}`;
};
const nameKey = keyed(AccountColumns.name);
const postalKey = keyed(AccountColumns.postalCode);
const emailKey = keyed(ContactColumns.email);
const customerKey = (name: string, postalCode: string) => `${nameKey(name)}|${postalKey(postalCode)}`;
const present = (keys: (string | null)[]) => keys.filter((key): key is string => key !== null);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class PageLookupGateway extends CrmGateway {
  private readonly creations = new CreationLog();
  private readonly accountAnswers = new Map<string, PageAnswer>();
  private readonly contactAnswers = new Map<string, PageAnswer>();
  private pages = 0;

  /**
   * Looks up the candidate accounts of the page's customers (name or postal code, as
   * accountCandidates asks) and the contacts with its team members' e-mails, a chunk per query.
   */
  async prefetchPage(referrals: readonly Referral[]): Promise<void> {
    const page = ++this.pages;
    let oldestKept = this.creations.tick();
    for (const answers of [this.accountAnswers, this.contactAnswers]) {
      for (const [key, answer] of answers) {
        if (answer.page <= page - PAGES_KEPT) answers.delete(key);
        else oldestKept = Math.min(oldestKept, answer.sentAt);
      }
    }
    // Keeps the log as small as the answers it vouches for, not growing with every account of the run.
    this.creations.forgetBefore(oldestKept);
    const customers = new Map<string, { name: string; postalCode: string }>();
    const emails = new Map<string, string>();
    for (const referral of referrals) {
      const profile = referral.customerProfile;
      if (!profile) continue;
      const fields = customerProfileToFields(profile);
      const name = fields.name?.trim();
      // Without a postal code accountCandidates asks by the name's first word: left to the live query.
      if (name && fields.postalCode && nameKey(name) && postalKey(fields.postalCode)) customers.set(customerKey(name, fields.postalCode), { name, postalCode: fields.postalCode });
      for (const member of profile.team ?? []) {
        const key = emailKey(member.email);
        if (key && typeof member.email === "string") emails.set(key, member.email);
      }
    }
    for (const chunk of chunks([...customers.values()], CUSTOMERS_PER_QUERY)) {
      const sentAt = this.creations.tick();
      const filter = chunk.map((c) => `${AccountColumns.name} eq ${odataString(c.name)} or ${AccountColumns.postalCode} eq ${odataString(c.postalCode)}`).join(" or ");
      const rows = await this.accountsWhere(filter);
      for (const { name, postalCode } of chunk) {
        const mine = rows.filter((row) => nameKey(row.record[AccountColumns.name]) === nameKey(name) || postalKey(row.record[AccountColumns.postalCode]) === postalKey(postalCode));
        this.accountAnswers.set(customerKey(name, postalCode), { rows: mine, sentAt, page });
      }
    }
    for (const chunk of chunks([...emails.values()], EMAILS_PER_QUERY)) {
      const sentAt = this.creations.tick();
      const rows = await this.contactsWhere(chunk.map((email) => `${ContactColumns.email} eq ${odataString(email)}`).join(" or "));
      for (const email of chunk) {
        const key = emailKey(email);
        if (key) this.contactAnswers.set(key, { rows: rows.filter((row) => emailKey(row.record[ContactColumns.email]) === key), sentAt, page });
      }
    }
  }

  override async accountCandidates(name: string | null, postalCode: string | null): Promise<CrmRow[]> {
    const trimmed = name?.trim();
    const answer = trimmed && postalCode ? this.accountAnswers.get(customerKey(trimmed, postalCode)) : undefined;
    if (answer && this.creations.covers(present([nameKey(trimmed), postalKey(postalCode)]), answer.sentAt)) return answer.rows;
    return super.accountCandidates(name, postalCode);
  }

  override async createAccount(body: Record<string, unknown>): Promise<string> {
    const keys = present([nameKey(body[AccountColumns.name]), postalKey(body[AccountColumns.postalCode])]);
    return this.creations.record(keys, () => super.createAccount(body));
  }

  override async contactsByEmail(emails: readonly string[]): Promise<CrmRow[]> {
    const answers = emails.map((email) => {
      const key = emailKey(email);
      return { key, answer: key ? this.contactAnswers.get(key) : undefined };
    });
    const covered = answers.every(({ key, answer }) => key && answer && this.creations.covers([key], answer.sentAt));
    if (emails.length === 0 || !covered) return super.contactsByEmail(emails);
    const rows = new Map<string, CrmRow>();
    for (const { answer } of answers) for (const row of answer?.rows ?? []) rows.set(row.id, row);
    return [...rows.values()];
  }

  override async createContact(body: Record<string, unknown>): Promise<string> {
    return this.creations.record(present([emailKey(body[ContactColumns.email])]), () => super.createContact(body));
  }
}
