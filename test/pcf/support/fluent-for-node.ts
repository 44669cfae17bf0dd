/**
 * @fluentui/react 8.29's CommonJS build deep-imports @fluentui/date-time-utilities/lib-commonjs/…,
 * which the newer hoisted package's "exports" map forbids, so Node cannot load it; letting vitest
 * transform the ESM build instead costs ~10 s per test file. Bundling the ESM build once with
 * esbuild (React left external, so the tests and Fluent share one React) takes ~1 s and is cached
 * under node_modules/.cache. Use it with (a dynamic import, as vi.mock is hoisted above imports):
 *   vi.mock("@fluentui/react", async () => (await import("./support/fluent-for-node")).loadFluent());
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, renameSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export async function loadFluent(): Promise<unknown> {
  const { version } = JSON.parse(readFileSync(resolve(root, "node_modules/@fluentui/react/package.json"), "utf8")) as { version: string };
  const out = resolve(root, `node_modules/.cache/pcc-tests/fluentui-react-${version}.mjs`);
  if (!existsSync(out)) {
    // esbuild's JS API refuses to run under jsdom, so call its binary. Write beside the target
    // and rename, so test files building it at the same time never read half a file.
    const partial = `${out}.${process.pid}.tmp`;
    execFileSync(resolve(root, "node_modules/esbuild/bin/esbuild"), [
      "@fluentui/react", "--bundle", "--format=esm", "--platform=node", "--main-fields=module,main",
      "--external:react", "--external:react-dom", `--outfile=${partial}`, "--log-level=error",
    ], { cwd: root });
    renameSync(partial, out);
  }
  return import(pathToFileURL(out).href);
}
