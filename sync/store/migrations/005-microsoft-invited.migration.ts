import type { Migration } from "./migration";

/**
 * When Microsoft's side of a co-sell engagement was created for the link's referral. Without it a
 * share whose invitation failed (a 5xx, a crash right after our referral) was never retried: the
 * retry found the pair linked and only merged fields, so Microsoft never heard of the deal.
 */
export const migration005: Migration = {
  version: 5,
  name: "Microsoft invited",
  up(db) {
    db.exec("ALTER TABLE links ADD COLUMN microsoft_invited_at INTEGER");
  },
};
