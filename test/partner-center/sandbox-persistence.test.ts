/** With a state file, referrals and the webhook registration survive a sandbox restart. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { startPartnerCenterSandbox } from "../../sandbox/partner-center/partner-center-sandbox";
import { clientFor, sampleReferral } from "./partner-center-test-kit";

let folder: string | undefined;
afterEach(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

it("reloads referrals from the JSON state file after a restart; reset empties it", async () => {
  folder = await mkdtemp(join(tmpdir(), "pc-sandbox-state-"));
  const stateFile = join(folder, "partner-center.json");
  const first = await startPartnerCenterSandbox({ stateFile });
  const created = await clientFor(first.url).create(sampleReferral());
  await first.close();

  const second = await startPartnerCenterSandbox({ stateFile });
  try {
    const client = clientFor(second.url);
    expect(await client.get(created.id)).toMatchObject({ id: created.id, eTag: created.eTag });
    const reset = await fetch(`${second.url}/_sandbox/reset`, { method: "POST" });
    expect(reset.status).toBe(200);
    await expect(client.get(created.id)).rejects.toMatchObject({ status: 404 });
  } finally {
    await second.close();
  }
});
