/**
 * `cosell sandbox --with-microsoft-connector` (`npm start -- --with-microsoft-connector`): the org starts
 * with Microsoft's connector, and the commands it prints for the rehearsal work from another process
 * with the settings it wrote.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sandboxCommand, type RunningSandbox } from "../../sync/cli/commands/sandbox.command";
import { recordedIo, spawnCosell, type RecordedIo } from "./cli-test-kit";

let sandbox: RunningSandbox;
let io: RecordedIo;
let stop: () => void;
let finished: Promise<number>;

beforeAll(async () => {
  io = recordedIo();
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const ready = new Promise<RunningSandbox>((resolve, reject) => {
    finished = sandboxCommand({ io, dir: mkdtempSync(join(tmpdir(), "cosell-sandbox-msft-")), microsoftConnector: true, untilStopped: stopped, onReady: resolve });
    finished.catch(reject);
  });
  sandbox = await ready;
});
afterAll(async () => {
  stop?.();
  await finished;
});

it("prints how to rehearse the switch, and the printed command shows the plan for the seeded org from another process", async () => {
  const printed = io.stdout.join("\n");
  expect(printed).toContain("Microsoft's co-sell connector is installed in this org (11 cloud flows on, Partner Center's webhooks on its flow)");
  expect(printed).toContain(`. '${sandbox.microsoft!.envFile}'; npm run cosell -- switch-from-microsoft)`);
  const env = parseEnv(readFileSync(sandbox.microsoft!.envFile, "utf8")) as Record<string, string>;
  expect(env["PUBLIC_BASE_URL"]).toBe(sandbox.env.backendUrl);
  expect(env["STORE_PATH"]).toBe(sandbox.storePath);

  const dryRun = await spawnCosell(["switch-from-microsoft"], env).exited;
  expect(dryRun.stderr).toBe("");
  expect(dryRun.code).toBe(0);
  expect(dryRun.stdout).toMatch(/cloud flows +11 \(11 on\)/);
  expect(dryRun.stdout).toMatch(/Links to adopt \(4\)/);
  expect(dryRun.stdout).toMatch(/Conflicts \(2\)/);
  expect(dryRun.stdout).toMatch(/Leads \(1\)/);
});
