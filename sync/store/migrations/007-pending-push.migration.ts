import type { Migration } from "./migration";

/**
 * The fields a merge is about to write to Partner Center, noted on the base before the write and
 * cleared by the commit after it. A crash in between left the base behind, and our own write then
 * looked like a Partner Center edit newer than the seller's (see LinkSyncHandler.syncPair).
 */
export const migration007: Migration = {
  version: 7,
  name: "pending push",
  up(db) {
    db.exec("ALTER TABLE base_snapshots ADD COLUMN pending_push_json TEXT");
  },
};
