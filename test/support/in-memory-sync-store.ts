/**
 * A SyncStore held in memory, for unit tests of code that reads and writes links, bases, audit lines,
 * field clocks and change times (sync/worker/recovery-rules.ts and the stories). It keeps the SQLite
 * store's contract for those: unique opportunity and referral per link, version-checked commits
 * (StaleBaseError), a commit clears the pending push, field clocks stored only for a linked key,
 * audit newest first, the newest REFERRAL_CHANGES_KEPT change times per referral with "ours" winning.
 * Values are stored as JSON copies, as a database would, so a caller's later mutation changes nothing.
 *
 * The job queue and webhook dedupe are not kept here (their tests use SqliteSyncStore): those methods
 * throw, saying so. Tests and test helpers may import it; production code never does.
 */
import type { AuditEntry } from "../../sync/engine/audit-trail";
import type { LinkFieldClocks } from "../../sync/engine/field-clock";
import type { MappedFields } from "../../sync/engine/mapped-fields";
import { LinkConflictError, StaleBaseError, StoreError } from "../../sync/store/store-errors";
import {
  REFERRAL_CHANGES_KEPT,
  type AcceptEventResult,
  type BaseSnapshot,
  type EnqueueResult,
  type Job,
  type JobState,
  type LinkRecord,
  type LinkUpdate,
  type ReferralNotification,
  type StoredAuditEntry,
  type SyncCommit,
  type SyncStore,
} from "../../sync/store/sync-store";

const copy = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

export class InMemorySyncStore implements SyncStore {
  private readonly links = new Map<string, LinkRecord>();
  private readonly bases = new Map<string, BaseSnapshot>();
  private readonly clocks = new Map<string, LinkFieldClocks>();
  private readonly audit: StoredAuditEntry[] = [];
  private readonly columnChanges = new Map<string, Map<string, number>>();
  private readonly referralChanges = new Map<string, Map<number, boolean>>();
  private readonly notifications = new Map<string, ReferralNotification>();
  private readonly watermarks = new Map<string, string>();
  private nextAuditId = 1;

  constructor(private readonly clock: () => number = Date.now) {}

  // Links -------------------------------------------------------------------------------------------

  async getLink(key: string): Promise<LinkRecord | null> {
    return copy(this.links.get(key) ?? null);
  }

  async findLinkByOpportunityId(opportunityId: string): Promise<LinkRecord | null> {
    return copy([...this.links.values()].find((link) => link.opportunityId === opportunityId) ?? null);
  }

  async findLinkByReferralId(referralId: string): Promise<LinkRecord | null> {
    return copy([...this.links.values()].find((link) => link.referralId === referralId) ?? null);
  }

  async saveLink(update: LinkUpdate): Promise<LinkRecord> {
    const now = this.clock();
    const existing = this.links.get(update.key);
    const link: LinkRecord = {
      key: update.key,
      opportunityId: update.opportunityId !== undefined ? update.opportunityId : (existing?.opportunityId ?? null),
      referralId: update.referralId !== undefined ? update.referralId : (existing?.referralId ?? null),
      accountId: update.accountId !== undefined ? update.accountId : (existing?.accountId ?? null),
      microsoftInvitedAt: update.microsoftInvitedAt !== undefined ? update.microsoftInvitedAt : (existing?.microsoftInvitedAt ?? null),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    for (const other of this.links.values()) {
      if (other.key === link.key) continue;
      if (link.opportunityId !== null && other.opportunityId === link.opportunityId) {
        throw new LinkConflictError(link.key, `The opportunity ${link.opportunityId} is already linked to another record; not linking it twice`);
      }
      if (link.referralId !== null && other.referralId === link.referralId) {
        throw new LinkConflictError(link.key, `The referral ${link.referralId} is already linked to another record; not linking it twice`);
      }
    }
    this.links.set(link.key, link);
    return copy(link);
  }

  async deleteLink(key: string): Promise<void> {
    this.links.delete(key);
    this.bases.delete(key);
    this.clocks.delete(key);
  }

  // Base snapshots + audit ----------------------------------------------------------------------------

  async getBase(linkKey: string): Promise<BaseSnapshot | null> {
    return copy(this.bases.get(linkKey) ?? null);
  }

  async commitSync(linkKey: string, commit: SyncCommit): Promise<BaseSnapshot> {
    const actual = this.bases.get(linkKey)?.version ?? null;
    if (commit.expectedVersion !== undefined && commit.expectedVersion !== actual) throw new StaleBaseError(linkKey, commit.expectedVersion, actual);
    if (!this.links.has(linkKey)) throw new StoreError(`No link ${linkKey}: save the link before its base snapshot`);
    const snapshot: BaseSnapshot = { fields: copy(commit.base), version: (actual ?? 0) + 1, savedAt: this.clock(), pendingPush: null };
    this.bases.set(linkKey, snapshot);
    this.insertAudit(linkKey, commit.audit);
    return { fields: copy(commit.base), version: snapshot.version, savedAt: snapshot.savedAt };
  }

  async appendAudit(linkKey: string, entries: readonly AuditEntry[]): Promise<void> {
    this.insertAudit(linkKey, entries);
  }

  async notePendingPush(linkKey: string, expectedVersion: number, push: Partial<MappedFields>): Promise<void> {
    const base = this.bases.get(linkKey);
    if (!base || base.version !== expectedVersion) throw new StaleBaseError(linkKey, expectedVersion, base?.version ?? null);
    this.bases.set(linkKey, { ...base, pendingPush: copy(push) });
  }

  async updateFieldClocks(linkKey: string, update: (current: LinkFieldClocks | null) => LinkFieldClocks): Promise<LinkFieldClocks> {
    const next = update(copy(this.clocks.get(linkKey) ?? null));
    if (this.links.has(linkKey)) this.clocks.set(linkKey, copy(next));
    return next;
  }

  async recordColumnChanges(opportunityId: string, columns: readonly string[], at: number): Promise<void> {
    const id = opportunityId.toLowerCase();
    const times = this.columnChanges.get(id) ?? new Map<string, number>();
    for (const column of columns) times.set(column, Math.max(times.get(column) ?? Number.NEGATIVE_INFINITY, at));
    this.columnChanges.set(id, times);
  }

  async columnChangeTimes(opportunityId: string): Promise<Record<string, number>> {
    return Object.fromEntries(this.columnChanges.get(opportunityId.toLowerCase()) ?? []);
  }

  async recordReferralChange(referralId: string, at: number, ours: boolean): Promise<void> {
    const changes = this.referralChanges.get(referralId) ?? new Map<number, boolean>();
    changes.set(at, ours || (changes.get(at) ?? false));
    const kept = [...changes.keys()].sort((a, b) => b - a).slice(0, REFERRAL_CHANGES_KEPT);
    this.referralChanges.set(referralId, new Map(kept.map((time) => [time, changes.get(time)!])));
  }

  async referralChangeTimes(referralId: string): Promise<number[]> {
    const changes = this.referralChanges.get(referralId) ?? new Map<number, boolean>();
    return [...changes.entries()].filter(([, ours]) => !ours).map(([time]) => time).sort((a, b) => a - b);
  }

  async listAudit(linkKey: string, limit = 1000): Promise<StoredAuditEntry[]> {
    return copy(this.audit.filter((entry) => entry.linkKey === linkKey).sort((a, b) => b.id - a.id).slice(0, limit));
  }

  /** Stored oldest first so that id order is time order (entries come newest first, as on the record). */
  private insertAudit(linkKey: string, entries: readonly AuditEntry[]): void {
    for (const entry of [...entries].reverse()) this.audit.push({ ...copy(entry), id: this.nextAuditId++, linkKey });
  }

  // Jobs and webhook dedupe: not kept in memory ---------------------------------------------------------

  private noQueue(method: string): never {
    throw new Error(`InMemorySyncStore.${method}: the in-memory store keeps no job queue or webhook dedupe; use SqliteSyncStore.open({ path: ":memory:" }) for that`);
  }

  enqueue(): Promise<EnqueueResult> {
    return this.noQueue("enqueue");
  }
  claimNext(): Promise<Job | null> {
    return this.noQueue("claimNext");
  }
  extendLease(): Promise<boolean> {
    return this.noQueue("extendLease");
  }
  recoverLeasesOf(): Promise<number> {
    return this.noQueue("recoverLeasesOf");
  }
  complete(): Promise<boolean> {
    return this.noQueue("complete");
  }
  retryLater(): Promise<boolean> {
    return this.noQueue("retryLater");
  }
  deadLetter(): Promise<boolean> {
    return this.noQueue("deadLetter");
  }
  getJob(): Promise<Job | null> {
    return this.noQueue("getJob");
  }
  listJobs(): Promise<Job[]> {
    return this.noQueue("listJobs");
  }
  countJobs(): Promise<Record<JobState, number>> {
    return this.noQueue("countJobs");
  }
  acceptEvent(): Promise<AcceptEventResult> {
    return this.noQueue("acceptEvent");
  }
  purgeExpiredEvents(): Promise<number> {
    return this.noQueue("purgeExpiredEvents");
  }

  // Referral notifications and watermarks ---------------------------------------------------------------

  async claimReferralNotification(referralId: string, opportunityId: string): Promise<boolean> {
    if (this.notifications.has(referralId)) return false;
    this.notifications.set(referralId, { referralId, opportunityId, state: "sending", attempts: 0, lastError: null, updatedAt: this.clock() });
    return true;
  }

  async finishReferralNotification(referralId: string, outcome: { state: "sent" | "failed"; attempts: number; error?: string }): Promise<void> {
    const claimed = this.notifications.get(referralId);
    if (!claimed) return;
    this.notifications.set(referralId, { ...claimed, state: outcome.state, attempts: outcome.attempts, lastError: outcome.error ?? null, updatedAt: this.clock() });
  }

  async getReferralNotification(referralId: string): Promise<ReferralNotification | null> {
    return copy(this.notifications.get(referralId) ?? null);
  }

  async getWatermark(name: string): Promise<string | null> {
    return this.watermarks.get(name) ?? null;
  }

  async setWatermark(name: string, value: string): Promise<void> {
    this.watermarks.set(name, value);
  }

  async close(): Promise<void> {}
}
