import { afterEach, describe, expect, it, vi } from "vitest";
import { DeliveryRetention } from "../../sync/service/delivery-retention";
import { openSqliteSyncStore, type SyncStore } from "../../sync/store";

const DAY = 24 * 60 * 60_000;
let store: SyncStore;
let retention: DeliveryRetention;
afterEach(async () => {
  await retention?.stop();
  await store?.close();
});

describe("delivery key retention in the running service", () => {
  it("forgets delivery keys past their time on a schedule, keeps the fresh ones, and survives a failing purge", async () => {
    let now = Date.UTC(2026, 11, 1);
    store = openSqliteSyncStore({ path: ":memory:", clock: () => now });
    await store.acceptEvent({ key: "partner-center:old", ttlMs: DAY }, null);
    now += DAY - 60_000;
    await store.acceptEvent({ key: "partner-center:fresh", ttlMs: DAY }, null);
    now += 60_000;

    const logger = { info: vi.fn(), warn: vi.fn() };
    retention = new DeliveryRetention(store, logger, 20);
    retention.start();
    await vi.waitFor(() => expect(logger.info).toHaveBeenCalledWith({ purged: 1 }, expect.any(String)));
    // The old key is gone (a redelivery now counts as new); the fresh one still dedupes.
    expect((await store.acceptEvent({ key: "partner-center:fresh", ttlMs: DAY }, null)).duplicate).toBe(true);
    expect((await store.acceptEvent({ key: "partner-center:old", ttlMs: DAY }, null)).duplicate).toBe(false);

    // A purge that fails (database gone) is logged and retried at the next tick, not thrown.
    await store.close();
    await vi.waitFor(() => expect(logger.warn).toHaveBeenCalled());
  });
});
