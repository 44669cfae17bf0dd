/**
 * What one webhook delivery may cost the store: the write times of the columns the field clocks use,
 * however many columns the delivery names.
 */
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../sync/service/config";
import { createSyncService, type SyncService } from "../../sync/service/sync-service";

let service: SyncService | null = null;
afterEach(async () => {
  await service?.stop();
  service = null;
});

describe("a Dataverse delivery's columns", () => {
  it("are kept only where the field clocks can use them, so 15,000 names add a handful of rows", async () => {
    service = createSyncService(
      parseConfig({
        DATAVERSE_URL: "https://x.crm.dynamics.com", DATAVERSE_STATIC_TOKEN: "t", PARTNER_CENTER_STATIC_TOKEN: "t",
        DATAVERSE_WEBHOOK_KEY: "0123456789abcdef0123456789abcdef", STORE_PATH: ":memory:",
      }),
      pino({ level: "silent" }),
    );
    const opportunityId = randomUUID();
    const flood = Array.from({ length: 15_000 }, (_, i) => `new_column_${i}`);
    await service.enqueue({
      source: "dataverse", kind: "opportunity", id: opportunityId, deliveryKey: randomUUID(),
      columnChange: { columns: [...flood, "estimatedvalue", "description", "statecode"], at: 1_700_000_000_000 },
    });
    expect(await service.store.columnChangeTimes(opportunityId)).toEqual({
      estimatedvalue: 1_700_000_000_000,
      description: 1_700_000_000_000,
      statecode: 1_700_000_000_000,
    });
  });
});
