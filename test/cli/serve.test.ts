/**
 * `cosell serve`, mostly as a separate process (how it runs in production and in the benchmarks): it refuses
 * to start on an incomplete configuration and says every missing setting at once; it refuses an org
 * without our columns, naming them; on a healthy org it listens, answers /healthz and stops cleanly
 * on SIGTERM.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpportunityColumns as C } from "../../entities";
import { startDataverseSandbox, type DataverseSandbox } from "../../sandbox/dataverse/dataverse-sandbox";
import { SANDBOX_TOKEN, startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { startServer, StartupError } from "../../sync/server";
import { parseConfig } from "../../sync/service/config";
import { spawnCosell, tempStorePath } from "./cli-test-kit";

let env: SandboxEnvironment;
let bareOrg: DataverseSandbox;
beforeAll(async () => {
  [env, bareOrg] = await Promise.all([startSandboxEnvironment({ startBackend: false }), startDataverseSandbox()]);
});
afterAll(async () => {
  await env?.close();
  await bareOrg?.close();
});

function serviceEnv(dataverseUrl: string): Record<string, string> {
  return {
    DATAVERSE_URL: dataverseUrl,
    DATAVERSE_STATIC_TOKEN: SANDBOX_TOKEN,
    PARTNER_CENTER_API_URL: env.partnerCenter.url,
    PARTNER_CENTER_STATIC_TOKEN: SANDBOX_TOKEN,
    DATAVERSE_WEBHOOK_KEY: "0123456789abcdef0123456789abcdef",
    HOST: "127.0.0.1",
    PORT: "0",
    OPS_PORT: "0",
    STORE_PATH: tempStorePath(),
    LOG_LEVEL: "info",
  };
}

describe("cosell serve", () => {
  it("with no configuration exits 1 and names every missing setting, without a stack trace", async () => {
    const { code, stderr } = await spawnCosell(["serve"], {}).exited;
    expect(code).toBe(1);
    for (const variable of ["DATAVERSE_URL", "DATAVERSE_WEBHOOK_KEY", "DATAVERSE_CLIENT_ID", "DATAVERSE_CLIENT_SECRET", "PARTNER_CENTER_CLIENT_ID", "PARTNER_CENTER_TOKEN_SECRET"]) {
      expect(stderr).toContain(variable);
    }
    expect(stderr).toContain(".env.example");
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it("against an org without the co-sell solution refuses to start, naming the missing columns", async () => {
    // In-process (the printing path is the one the test above covers): a child process costs seconds.
    const config = parseConfig(serviceEnv(bareOrg.url));
    const failure = await startServer(config, pino({ level: "silent" })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StartupError);
    const message = (failure as Error).message;
    expect(message).toContain(`opportunity.${C.syncWithPartnerCenter}`);
    expect(message).toContain(`opportunity.${C.products}`);
    expect(message).toMatch(/Import the PartnerCenterCoSell solution/);
    // Nothing was left listening or holding the store: the same store file opens again at once.
    await expect(startServer({ ...config, DATAVERSE_URL: env.dataverse.url }, pino({ level: "silent" })).then((server) => server.close())).resolves.toBeUndefined();
  });

  it("on a healthy org listens, answers /healthz, is ready on its ops port, and exits 0 on SIGTERM", async () => {
    const serve = spawnCosell(["serve"], serviceEnv(env.dataverse.url));
    const line = await serve.printed(/"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*sync service listening/);
    const url = /"url":"([^"]+)"/.exec(line)![1]!;
    const opsUrl = /"opsUrl":"([^"]+)"/.exec(line)![1]!;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${opsUrl}/readyz`)).json()).toEqual({ ready: true, checks: { eventLoop: "ok", store: "ok" } });
    expect((await fetch(`${url}/readyz`)).status).toBe(404);
    serve.kill("SIGTERM");
    const { code, stdout } = await serve.exited;
    expect(code).toBe(0);
    expect(stdout).toContain("sync service stopped");
  });
});
