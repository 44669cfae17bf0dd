/** Bundles the page's browser code with esbuild, in memory, once per server start (~0.2 s). */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

export async function bundleBrowserCode(): Promise<Buffer> {
  const result = await build({
    entryPoints: [join(here, "browser", "main.ts")],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    write: false,
    sourcemap: "inline",
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no output for the form page");
  return Buffer.from(output.contents);
}
