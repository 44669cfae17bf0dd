/** The props of the co-sell section: everything it shows, already decided by the mapping. */
import type { ConflictNotice } from "../../../entities/conflict-notice";
import type { AuditEntry } from "../mapping/audit-trail";
import type { Translate } from "../strings/string-keys";

/** One bound column as the section may use it. A masked value is never passed down. */
export interface FieldView<T> {
  /** Null when the column is empty or masked. */
  value: T;
  /** The user may change it: the control is enabled and field security allows editing. */
  editable: boolean;
  /** Field security hides the value from this user. */
  masked: boolean;
}

export type SyncStatusView =
  | { kind: "notSynced" }
  | { kind: "pending" }
  | { kind: "synced"; lastSyncedOn: Date | null }
  | { kind: "error"; reason: string | null }
  | { kind: "masked" };

export interface ChoiceOption {
  key: number;
  text: string;
}

export interface ReferralView {
  id: FieldView<string | null>;
  /** Only an http(s) link is passed on, so a bad value can never become a javascript: link. */
  link: string | null;
  microsoftCrmId: string | null;
  /** The Microsoft seller's opportunity id (MSX) from Partner Center's trackingInfo. */
  microsoftMsxId: string | null;
}

/** Shown only for an incoming Microsoft referral that still waits for the partner's answer. */
export interface AnswerView {
  /** The user may write pcc_referralstatus. */
  canAnswer: boolean;
  /** The user may also write pcc_statusreason, which a decline requires. */
  canDecline: boolean;
  /** Longest decline reason pcc_statusreason takes. */
  reasonMaxLength: number;
}

export interface CoSellSectionProps {
  t: Translate;
  /** BCP 47 tag for dates and relative times ("en-US", "it-IT"). */
  locale: string;
  /** Current time; a function so the "3 minutes ago" text can refresh without new props. */
  clock: () => Date;
  sync: FieldView<boolean>;
  /** Read-only once the referral carries a help request (Partner Center rule): locked. */
  help: FieldView<number | null> & { options: ChoiceOption[]; locked: boolean };
  /** Once shared the consent cannot be withdrawn (Partner Center rule), so Yes locks the toggle. */
  share: FieldView<boolean> & { locked: boolean };
  solutions: FieldView<string[]> & { maxLength: number };
  status: SyncStatusView;
  referral: ReferralView;
  answer: AnswerView | null;
  audit: { masked: boolean; entries: AuditEntry[] };
  /** Fields last changed on both sides at once, with the value that did not win; null: none (or masked). */
  conflictNotice: ConflictNotice | null;
  onSyncChange(value: boolean): void;
  onHelpChange(value: number | null): void;
  onShareChange(value: boolean): void;
  onSolutionsChange(ids: string[]): void;
  onAccept(): void;
  onDecline(reason: string): void;
}
