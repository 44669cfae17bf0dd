/**
 * Shared set-up for the Dataverse tests: one sandbox per test file on 127.0.0.1, a DataverseClient
 * pointed at it exactly as at a real org, and our solution zip built by the real packer (once per run).
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packSolution } from "../../solution/pack";
import { startDataverseSandbox, type DataverseSandbox, type DataverseSandboxOptions } from "../../sandbox/dataverse/dataverse-sandbox";
import { DataverseClient, StaticTokenProvider } from "../../sync/dataverse";

let zip: Promise<Buffer> | undefined;

/** The unmanaged zip exactly as `npm run build` produces it. */
export function solutionZip(): Promise<Buffer> {
  zip ??= (async () => {
    const outDir = await mkdtemp(join(tmpdir(), "pcc-dataverse-test-"));
    const { unmanagedZip } = await packSolution({ outDir });
    return readFile(unmanagedZip);
  })();
  return zip;
}

export interface Fixture {
  sandbox: DataverseSandbox;
  client: DataverseClient;
}

export async function startFixture(options: DataverseSandboxOptions = {}): Promise<Fixture> {
  const sandbox = await startDataverseSandbox({ webhookRetryDelayMs: 20, ...options });
  const client = new DataverseClient({ orgUrl: sandbox.url, tokens: new StaticTokenProvider("sandbox-token"), transport: { sleep: async () => undefined } });
  return { sandbox, client };
}

/** Raw Web API call with a token, for contract checks the typed client does not expose. */
export async function api(sandbox: DataverseSandbox, path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  const response = await fetch(`${sandbox.apiUrl}/${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: "Bearer t", accept: "application/json", ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}
