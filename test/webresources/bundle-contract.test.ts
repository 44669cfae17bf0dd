/**
 * The contract between the solution XML and the built bundle: every function the RibbonDiffXml
 * and the shipped form's events name must exist on PartnerCenterCoSell in dist/webresources/pcc_/js/cosell.js,
 * loaded the way a browser loads it (a classic script) in node:vm.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { OpportunityColumns as C, SyncStatus } from "../../entities";
import { buildCosellFormXml } from "../../solution/parts/cosell-form.part";
import { buildCosellRibbonDiffXml } from "../../solution/parts/cosell-ribbon.part";
import { COSELL_BUNDLE_PATH } from "../../solution/parts/cosell-webresource.part";
import { FORM_HANDLERS, GLOBAL_NAMESPACE, PUBLIC_FUNCTION_NAMES, RIBBON_FUNCTIONS, WEB_RESOURCE_NAME } from "../../webresources/src/public-names";
import { opportunityForm } from "./opportunity-form.fixture";

const BUILD_SCRIPT = fileURLToPath(new URL("../../webresources/build.mjs", import.meta.url));

let sandbox: vm.Context;

/** Resolves "PartnerCenterCoSell.Ribbon.syncNow" inside the vm, as the ribbon does in the page. */
function resolve(dottedName: string): unknown {
  return dottedName.split(".").reduce<unknown>(
    (owner, member) => (owner !== null && typeof owner === "object" ? (owner as Record<string, unknown>)[member] : undefined),
    sandbox,
  );
}

const attributeValues = (xml: string, attribute: string) => [...xml.matchAll(new RegExp(` ${attribute}="([^"]*)"`, "g"))].map((m) => m[1] as string);

beforeAll(() => {
  // Build from the current source, so the contract is checked against what would ship now.
  execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: "pipe" });
  sandbox = vm.createContext({});
  vm.runInContext(readFileSync(COSELL_BUNDLE_PATH, "utf8"), sandbox, { filename: WEB_RESOURCE_NAME });
});

describe("built bundle", () => {
  it("defines the global namespace", () => {
    expect(typeof resolve(GLOBAL_NAMESPACE)).toBe("object");
  });

  it("has every function the ribbon XML names", () => {
    const xml = buildCosellRibbonDiffXml();
    const names = attributeValues(xml, "FunctionName");
    expect(names.length).toBeGreaterThanOrEqual(Object.keys(RIBBON_FUNCTIONS).length);
    for (const name of names) expect(typeof resolve(name), name).toBe("function");
  });

  it("has every handler the shipped form's events name", () => {
    const xml = buildCosellFormXml();
    const names = attributeValues(xml, "functionName");
    expect(names).toHaveLength(Object.keys(FORM_HANDLERS).length);
    for (const name of names) expect(typeof resolve(name), name).toBe("function");
    expect(new Set(attributeValues(xml, "libraryName"))).toEqual(new Set([WEB_RESOURCE_NAME]));
  });

  it("has every form event handler and every name in the public list", () => {
    for (const name of [...Object.values(FORM_HANDLERS), ...PUBLIC_FUNCTION_NAMES]) {
      expect(typeof resolve(name), name).toBe("function");
    }
  });

  it("would catch a name the bundle does not export", () => {
    expect(resolve(`${GLOBAL_NAMESPACE}.Ribbon.noSuchCommand`)).toBeUndefined();
  });

  it("runs against the page's Xrm: OnLoad from the bundle locks the sync columns and shows the error", () => {
    const f = opportunityForm({ syncStatus: SyncStatus.Error, syncError: "Token expired" });
    sandbox.Xrm = f.host.xrm;
    const onLoad = resolve(FORM_HANDLERS.onLoad) as (context: unknown) => void;
    onLoad({ getFormContext: () => f.form });
    const control = f.form.getAttribute(C.referralIdentifier)?.controls.get(0) as Xrm.Controls.StandardControl;
    expect(control.getDisabled()).toBe(true);
    expect(f.notifications()[0]?.message).toBe("Partner Center sync failed: Token expired");
    const isSyncNowEnabled = resolve(RIBBON_FUNCTIONS.isSyncNowEnabled) as (form: unknown) => boolean;
    expect(isSyncNowEnabled(f.form)).toBe(true);
  });

  it("stays small: under 30 KB minified", () => {
    expect(statSync(COSELL_BUNDLE_PATH).size).toBeLessThan(30 * 1024);
  });
});
