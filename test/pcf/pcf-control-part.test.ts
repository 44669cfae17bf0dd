/** The solution part that carries the built control: exactly the files its manifest loads, or a clear error. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { SOLUTION_CONTROL_NAME } from "../../pcf/CoSellSection/ManifestConstants";
import { MissingPcfBuildError, readPcfControl } from "../../solution/parts/pcf-control.part";

let folder: string;
beforeEach(() => {
  folder = `${mkdtempSync(join(tmpdir(), "pcc-pcfout-"))}/`;
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function builtManifest(namespace = "PartnerCenterCoSell"): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest><control namespace="${namespace}" constructor="CoSellSection" version="1.0.0" control-type="virtual">
  <resources><code path="bundle.js" order="1"/><platform-library name="React" version="16.14.0"/>
  <resx path="strings/CoSellSection.1033.resx" version="1.0.0"/><resx path="strings/CoSellSection.1040.resx" version="1.0.0"/></resources>
</control></manifest>`;
}

function write(path: string, content: string): void {
  mkdirSync(join(folder, path, ".."), { recursive: true });
  writeFileSync(join(folder, path), content);
}

it("tells to run npm run build:pcf when the control was not built", async () => {
  const error = await readPcfControl(folder).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MissingPcfBuildError);
  expect((error as Error).message).toMatch(/ControlManifest\.xml is missing: run npm run build:pcf/);
});

it("carries the compiled manifest and every file it references, under the prefixed control name", async () => {
  write("ControlManifest.xml", builtManifest());
  write("bundle.js", "/* bundle */");
  write("strings/CoSellSection.1033.resx", "<root/>");
  write("strings/CoSellSection.1040.resx", "<root/>");
  write("bundle.js.LICENSE.txt", "not needed in the solution");
  const entry = await readPcfControl(folder);
  expect(entry.name).toBe(SOLUTION_CONTROL_NAME);
  expect(Object.keys(entry.files).sort()).toEqual(["ControlManifest.xml", "bundle.js", "strings/CoSellSection.1033.resx", "strings/CoSellSection.1040.resx"]);
});

it("names the referenced file that is missing", async () => {
  write("ControlManifest.xml", builtManifest());
  write("bundle.js", "/* bundle */");
  await expect(readPcfControl(folder)).rejects.toThrow(/CoSellSection\.1033\.resx is missing: run npm run build:pcf/);
});

it("refuses a build of some other control", async () => {
  write("ControlManifest.xml", builtManifest("Contoso"));
  await expect(readPcfControl(folder)).rejects.toThrow(/Contoso\.CoSellSection, expected PartnerCenterCoSell\.CoSellSection/);
});
