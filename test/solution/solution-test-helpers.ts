/** Shared helpers for the solution tests: run the packer into a temp folder and read the zips back. */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import JSZip from "jszip";
import { XMLParser } from "fast-xml-parser";
import { REPOSITORY_ROOT } from "../../solution/pack";

export const run = promisify(execFile);

/** ../shared/tools/validate-solution, Microsoft's XSDs applied by xmllint. */
export const VALIDATE_SOLUTION = join(REPOSITORY_ROOT, "..", "shared", "tools", "validate-solution");

export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export async function readZip(path: string): Promise<Map<string, Buffer>> {
  const { readFile } = await import("node:fs/promises");
  const zip = await JSZip.loadAsync(await readFile(path));
  const entries = new Map<string, Buffer>();
  for (const [name, file] of Object.entries(zip.files)) {
    if (!file.dir) entries.set(name, await file.async("nodebuffer"));
  }
  return entries;
}

/** Parses XML keeping attributes (prefixed "@_") and always returning arrays for repeated elements. */
export function parseXml(xml: string, arrays: readonly string[] = []): Record<string, unknown> {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    parseTagValue: false,
    isArray: (name) => arrays.includes(name),
  });
  return parser.parse(xml) as Record<string, unknown>;
}
