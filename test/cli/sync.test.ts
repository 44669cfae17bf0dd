/**
 * `cosell sync` over real HTTP, with no backend running so the command is the only thing syncing:
 * a flagged opportunity is shared and the outcome printed; running it again finds nothing to do; a
 * record Partner Center would refuse is reported in the seller's words with exit 1; a wrong id or
 * a missing option is a usage error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpportunityColumns as C, SyncStatus } from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { CliError } from "../../sync/cli/cli-io";
import { syncCommand } from "../../sync/cli/commands/sync.command";
import { runCli } from "../../sync/cli/program";
import type { Config } from "../../sync/service/config";
import { createSharableOpportunity, getReferral, readOpportunity } from "../e2e-api/story-kit";
import { recordedIo, tempStorePath } from "./cli-test-kit";

let env: SandboxEnvironment;
let config: Config;
beforeAll(async () => {
  env = await startSandboxEnvironment({ startBackend: false });
  config = { ...env.config, STORE_PATH: tempStorePath() };
});
afterAll(() => env?.close());

describe("cosell sync", () => {
  it("--opportunity shares a flagged opportunity and prints the referral and ✔ Synced; again: already in sync", async () => {
    const { opportunityId } = await createSharableOpportunity(env);
    const io = recordedIo();
    expect(await syncCommand({ config, io, target: { kind: "opportunity", id: opportunityId } }), io.text()).toBe(0);
    const row = await readOpportunity(env, opportunityId);
    const referralId = row[C.referralIdentifier] as string;
    expect(row[C.syncStatus]).toBe(SyncStatus.Synced);
    expect((await getReferral(env, referralId)).externalReferenceId).toBe(opportunityId);
    expect(io.stdout).toEqual([
      `✔ opportunity ${opportunityId}: synced: changes written`,
      `  opportunity:  ${opportunityId}`,
      `  referral:     ${referralId}`,
      "  sync status:  ✔ Synced",
    ]);

    const again = recordedIo();
    expect(await syncCommand({ config, io: again, target: { kind: "referral", id: referralId } })).toBe(0);
    expect(again.stdout[0]).toBe(`✔ referral ${referralId}: already in sync: nothing to write`);
  });

  it("a record Partner Center would refuse: ✘ with the reason written on the record, exit 1", async () => {
    const { opportunityId } = await createSharableOpportunity(env, { [C.products]: null });
    const io = recordedIo();
    expect(await syncCommand({ config, io, target: { kind: "opportunity", id: opportunityId } })).toBe(1);
    const row = await readOpportunity(env, opportunityId);
    expect(io.stdout[0]).toBe(`✘ opportunity ${opportunityId}: not synced`);
    expect(io.stdout.at(-1)).toBe(`  sync status:  Error: ${row[C.syncError] as string}`);
    expect(row[C.referralIdentifier] ?? null).toBeNull();
  });

  it("usage errors: an id that is not a GUID, or no option at all, exit 2 with what to type", async () => {
    await expect(syncCommand({ config, io: recordedIo(), target: { kind: "opportunity", id: "Fabrikam" } })).rejects.toThrow(CliError);
    const io = recordedIo();
    expect(await runCli(["sync"], io)).toBe(2);
    expect(io.stderr.join("\n")).toContain("cosell sync --opportunity <id>");
  });
});
