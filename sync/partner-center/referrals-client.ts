/**
 * Typed client for `/v1.0/engagements/referrals` (reference §1.3 - §1.7).
 *
 * Updates use PATCH (JSON Patch) with If-Match: the docs make If-Match optional on PATCH, but the sync
 * engine always sends the eTag it merged against, so a concurrent write becomes a 412 instead of a lost
 * update (reference §6 "Always send If-Match"). PUT is offered for completeness; it replaces the whole
 * referral and so needs every field, including ones this code does not model (the schemas keep them).
 */
import { z } from "zod";
import { PartnerCenterError, parseOrThrow } from "./partner-center-error";
import { PartnerCenterHttp, type PartnerCenterHttpOptions } from "./partner-center-http";
import { followableNextLink } from "./next-link";
import {
  ReferralPageEnvelopeSchema,
  ReferralSchema,
  checkStatusChange,
  type JsonPatchOperation,
  type Referral,
  type ReferralCreate,
  type ReferralStatus,
  type ReferralSubstatus,
} from "./referral-types";

export const REFERRALS_PATH = "/v1.0/engagements/referrals";

/** How far Partner Center's clock may be behind Dataverse's when a lookup bounds a scan by creation time. */
const CREATION_CLOCK_SKEW_MS = 60 * 60 * 1000;

/** Pages hold at most 100 referrals (the connector's documentation). */
export const MAX_PAGE_SIZE = 100;

export interface ReferralQuery {
  /** OData $filter, e.g. `direction eq 'Incoming' and substatus eq 'Pending'`. */
  filter?: string;
  /** `createdDateTime` or `updatedDateTime`, with asc/desc. */
  orderBy?: string;
  /** The total number of referrals wanted (not a page size: pages hold at most 100). */
  top?: number;
}

/** A listed referral this connector cannot read: reported on its own, never in the way of the others. */
export interface UnreadableReferral {
  /** The referral's id when the entry has one. */
  id: string | null;
  name: string | null;
  updatedDateTime: string | null;
  eTag: string | null;
  createdDateTime: string | null;
  /** Kept so a lookup can tell whether the entry could be the referral it looks for. */
  externalReferenceId: string | null;
  engagementId: string | null;
  /** The target's organization ids; null when the target itself cannot be read. */
  targetIds: string[] | null;
  /** What does not match, in zod's words. */
  reason: string;
}

export interface ReferralPage {
  value: Referral[];
  unreadable: UnreadableReferral[];
}

export interface ReferralsClientOptions extends PartnerCenterHttpOptions {
  /** Told of each referral Partner Center sent that cannot be read (log it, count it). */
  onUnreadable?: (entry: UnreadableReferral) => void;
  /** Told once per kind of `$filter` the service refused with a 400 (the fallback is then used). */
  onFilterRefused?: (filterKind: string, error: PartnerCenterError) => void;
}

/** An OData string literal. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function stringField(entry: unknown, field: string): string | null {
  if (entry === null || typeof entry !== "object") return null;
  const value = (entry as Record<string, unknown>)[field];
  return typeof value === "string" ? value : null;
}

function targetIds(entry: unknown): string[] | null {
  if (entry === null || typeof entry !== "object") return null;
  const target = (entry as Record<string, unknown>).target;
  if (target === undefined || target === null) return [];
  if (!Array.isArray(target)) return null;
  const ids = target.map((item) => stringField(item, "id"));
  return ids.every((id): id is string => id !== null) ? ids : null;
}

function unreadableEntry(entry: unknown, error: z.ZodError): UnreadableReferral {
  return {
    id: stringField(entry, "id"),
    name: stringField(entry, "name"),
    updatedDateTime: stringField(entry, "updatedDateTime"),
    eTag: stringField(entry, "eTag"),
    createdDateTime: stringField(entry, "createdDateTime"),
    externalReferenceId: stringField(entry, "externalReferenceId"),
    engagementId: stringField(entry, "engagementId"),
    targetIds: targetIds(entry),
    reason: z.prettifyError(error).replace(/\s*\n\s*/g, " "),
  };
}

export class ReferralsClient {
  private readonly http: PartnerCenterHttp;
  /** Filter kinds the service refused: later calls go straight to the fallback. */
  private readonly refusedFilters = new Set<string>();

  /** `baseUrl`: https://api.partner.microsoft.com in production, the sandbox URL otherwise. */
  constructor(private readonly options: ReferralsClientOptions) {
    this.http = new PartnerCenterHttp(options);
  }

  /**
   * One page per iteration, following @odata.nextLink on the configured host (next-link.ts). Each
   * entry is read on its own: one the connector cannot read is reported in `unreadable` and through
   * onUnreadable, and the page's other referrals come through. `top` is a total: listing stops there.
   */
  async *pages(query: ReferralQuery = {}): AsyncGenerator<ReferralPage> {
    const params = new URLSearchParams();
    if (query.filter) params.set("$filter", query.filter);
    if (query.orderBy) params.set("$orderby", query.orderBy);
    if (query.top !== undefined) params.set("$top", String(query.top));
    let next: string | undefined = params.size > 0 ? `${REFERRALS_PATH}?${params.toString()}` : REFERRALS_PATH;
    let remaining = query.top ?? Number.POSITIVE_INFINITY;
    while (next && remaining > 0) {
      const result = await this.http.request({ method: "GET", url: next });
      const envelope = parseOrThrow(ReferralPageEnvelopeSchema, result.body, "a referral list page");
      const entries = envelope.value.slice(0, remaining);
      remaining -= entries.length;
      const page: ReferralPage = { value: [], unreadable: [] };
      for (const entry of entries) {
        const parsed = ReferralSchema.safeParse(entry);
        if (parsed.success) page.value.push(parsed.data);
        else page.unreadable.push(this.reportUnreadable(unreadableEntry(entry, parsed.error)));
      }
      yield page;
      const link = envelope["@odata.nextLink"];
      next = link ? followableNextLink(link, this.http.baseUrl) : undefined;
    }
  }

  private reportUnreadable(entry: UnreadableReferral): UnreadableReferral {
    this.options.onUnreadable?.(entry);
    return entry;
  }

  /** Every readable matching referral across all pages (unreadable ones are reported, see pages). */
  async *list(query: ReferralQuery = {}): AsyncGenerator<Referral> {
    for await (const page of this.pages(query)) yield* page.value;
  }

  async get(id: string): Promise<Referral> {
    const result = await this.http.request({ method: "GET", url: `${REFERRALS_PATH}/${encodeURIComponent(id)}` });
    const parsed = ReferralSchema.safeParse(result.body);
    if (parsed.success) return parsed.data;
    const entry = this.reportUnreadable(unreadableEntry(result.body, parsed.error));
    throw new PartnerCenterError(`Partner Center sent referral ${id} in a shape this connector cannot read: ${entry.reason}`, {
      status: 200,
      code: "unreadableReferral",
      retryable: false,
      cause: parsed.error,
    });
  }

  /**
   * Runs `filtered` unless the service refused that kind of filter before; a 400 on its first page
   * marks the kind refused (told once) and runs `fallback` instead. The documented filter examples
   * cover engagementId, status and substatus only, so other filters may be refused.
   */
  private async *withFilterFallback<T>(kind: string, filtered: () => AsyncGenerator<T>, fallback: () => AsyncGenerator<T>): AsyncGenerator<T> {
    if (!this.refusedFilters.has(kind)) {
      const iterator = filtered();
      let first: IteratorResult<T>;
      try {
        first = await iterator.next();
      } catch (error) {
        if (!(error instanceof PartnerCenterError) || error.status !== 400) throw error;
        this.refusedFilters.add(kind);
        this.options.onFilterRefused?.(kind, error);
        yield* fallback();
        return;
      }
      if (first.done) return;
      yield first.value;
      yield* { [Symbol.asyncIterator]: () => iterator };
      return;
    }
    yield* fallback();
  }

  /**
   * The referral linked to an opportunity, for idempotent creates (docs/DESIGN.md §5). Where the service
   * refuses `externalReferenceId eq`, referrals are scanned newest first and compared here, down to
   * `notBefore` (the opportunity's creation: its referral cannot be older). A referral that could be
   * the match but cannot be read throws: answering "none" would make the caller create a second one.
   */
  async findByExternalReferenceId(externalReferenceId: string, lookup: { notBefore?: string } = {}): Promise<Referral | undefined> {
    const wanted = externalReferenceId.toLowerCase();
    const oldestPossible = lookup.notBefore ? Date.parse(lookup.notBefore) - CREATION_CLOCK_SKEW_MS : Number.NaN;
    const pages = this.withFilterFallback(
      "externalReferenceId eq",
      // The service filtered: every entry it sent, readable or not, is a match.
      () => this.pages({ filter: `externalReferenceId eq ${quote(externalReferenceId)}`, top: 1 }),
      async function* (this: ReferralsClient): AsyncGenerator<ReferralPage> {
        for await (const page of this.pages({ orderBy: "createdDateTime desc" })) {
          yield {
            value: page.value.filter((referral) => referral.externalReferenceId?.toLowerCase() === wanted),
            unreadable: page.unreadable.filter((entry) => entry.externalReferenceId?.toLowerCase() === wanted),
          };
          const oldest = page.value.at(-1);
          if (oldest && Date.parse(oldest.createdDateTime) < oldestPossible) return;
        }
      }.bind(this),
    );
    const candidates: UnreadableReferral[] = [];
    for await (const page of pages) {
      if (page.value[0]) return page.value[0];
      candidates.push(...page.unreadable);
    }
    if (candidates.length === 0) return undefined;
    const named = candidates.map((entry) => entry.id ?? "(no id)").join(", ");
    throw new PartnerCenterError(
      `Partner Center holds a referral for ${externalReferenceId} (${named}) in a shape this connector cannot read, so it will not create another: ${candidates[0]!.reason}. Update the connector, or close that referral in Partner Center.`,
      { status: 200, code: "unreadableReferral", retryable: false },
    );
  }

  /**
   * Referrals updated after `since`, oldest change first. Where the service refuses
   * `updatedDateTime gt`, the list is read newest first down to `since` and handed out oldest first.
   * Unreadable entries are reported through onUnreadable (they carry no readable referral).
   */
  updatedSince(since: string): AsyncGenerator<Referral> {
    const sinceMs = Date.parse(since);
    return this.withFilterFallback(
      "updatedDateTime gt",
      () => this.list({ filter: `updatedDateTime gt ${since}`, orderBy: "updatedDateTime asc" }),
      async function* (this: ReferralsClient) {
        const newer: Referral[] = [];
        for await (const referral of this.list({ orderBy: "updatedDateTime desc" })) {
          if (Date.parse(referral.updatedDateTime) <= sinceMs) break;
          newer.push(referral);
        }
        yield* newer.reverse();
      }.bind(this),
    );
  }

  async create(referral: ReferralCreate): Promise<Referral> {
    const result = await this.http.request({ method: "POST", url: REFERRALS_PATH, body: referral });
    return parseOrThrow(ReferralSchema, result.body, "the created referral");
  }

  /**
   * JSON Patch update, conditional on `eTag` when given. Asks for the updated referral back
   * (`Prefer: return=representation`) so the caller has the new eTag without another GET.
   */
  async patch(id: string, operations: readonly JsonPatchOperation[], options: { eTag?: string } = {}): Promise<Referral> {
    const headers: Record<string, string> = { prefer: "return=representation", "content-type": "application/json" };
    if (options.eTag) headers["if-match"] = options.eTag;
    const result = await this.http.request({ method: "PATCH", url: `${REFERRALS_PATH}/${encodeURIComponent(id)}`, body: operations, headers });
    if (result.body === undefined) {
      // A server that ignores Prefer answers 204; read the referral so callers always get one.
      return this.get(id);
    }
    return parseOrThrow(ReferralSchema, result.body, "the updated referral");
  }

  /** Full replace; If-Match is required by the service for PUT (reference §1.7). */
  async replace(referral: Referral): Promise<Referral> {
    const result = await this.http.request({
      method: "PUT",
      url: `${REFERRALS_PATH}/${encodeURIComponent(referral.id)}`,
      body: referral,
      headers: { "if-match": referral.eTag },
    });
    return parseOrThrow(ReferralSchema, result.body, "the updated referral");
  }

  /**
   * Moves a referral to a new status/substatus (accept, decline, win, lose), checking the documented
   * transition table first so a forbidden move fails here with a clear reason instead of a 400.
   */
  async changeStatus(
    current: Referral,
    to: { status: ReferralStatus; substatus: ReferralSubstatus; statusReason?: string },
  ): Promise<Referral> {
    const check = checkStatusChange(current, to);
    if (!check.ok) {
      throw new PartnerCenterError(`Cannot change referral ${current.id}: ${check.reason}`, { status: 0, code: "invalidRequest", retryable: false, target: "status" });
    }
    const operations: JsonPatchOperation[] = [
      { op: "replace", path: "/status", value: to.status },
      { op: "replace", path: "/substatus", value: to.substatus },
    ];
    if (to.statusReason !== undefined) operations.push({ op: "add", path: "/statusReason", value: to.statusReason });
    return this.patch(current.id, operations, { eTag: current.eTag });
  }
}
