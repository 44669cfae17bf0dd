/**
 * The Co-sell app in the built solution: its site map and app module are in customizations.xml, every
 * entry leads to something the zip carries (a view, a table with a main form, a web resource), titles
 * come in English and Italian, the app lists exactly the views and forms its navigation opens, and the
 * app, the site map and the heartbeat table are root components. The form page reads the same XML
 * back (its reader is tested here too: targets, view filters, our tables' forms).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CoSellHeartbeatTable, CoSellMappingTable, CoSellSettingsTable, SyncStatus, Tables } from "../../entities";
import { defaultSolutionZip } from "../../sandbox/form-page/form-page-server";
import { readApp, readTableForms, readViews, subAreaTarget } from "../../sandbox/form-page/app-xml-reader";
import { xmlParser, type XmlNode } from "../../sandbox/form-page/xml-reading";
import { COSELL_APP, cosellSiteMap } from "../../solution/xml/app-module";
import { MAPPING_FORM_ID, MAPPING_VIEW_ID } from "../../solution/xml/mapping-entity";
import { SETTINGS_FORM_ID } from "../../solution/xml/settings-entity";
import { OPPORTUNITY_VIEWS } from "../../solution/xml/views";
import { HEALTH_PAGE_NAME, HEALTH_SCRIPT_NAME } from "../../webresources/health/public-names";
import { readZip } from "./solution-test-helpers";

let entries: Map<string, Buffer>;
let customizations: XmlNode;
let customizationsXml: string;

beforeAll(async () => {
  entries = await readZip((await defaultSolutionZip()).replace(/\.zip$/, "_managed.zip"));
  customizationsXml = entries.get("customizations.xml")!.toString("utf8");
  customizations = xmlParser.parse(customizationsXml) as XmlNode;
});

describe("the Co-sell app in the built solution", () => {
  it("has a site map whose every entry opens a view, a table or a web resource the zip carries, titled in English and Italian", () => {
    const app = readApp(customizations)!;
    expect(app.uniqueName).toBe(COSELL_APP.uniqueName);
    expect(app.names).toEqual({ "1033": "Co-sell", "1040": "Co-sell" });
    const views = readViews(customizations);
    const forms = readTableForms(customizations, Tables.opportunity.logicalName);
    const subAreas = app.areas.flatMap((area) => area.groups.flatMap((group) => group.subAreas));
    expect(subAreas.map((subArea) => subArea.id)).toEqual(cosellSiteMap().flatMap((area) => area.groups.flatMap((group) => group.subAreas.map((s) => s.id))));
    for (const subArea of subAreas) {
      expect(Object.keys(subArea.titles).sort(), subArea.id).toEqual(["1033", "1040"]);
      const target = subArea.target!;
      if (target.kind === "view") expect(views[target.viewId], subArea.id).toMatchObject({ table: target.table });
      else if (target.kind === "table") expect(forms[target.table], subArea.id).toBeDefined();
      else if (target.kind === "webresource") expect(entries.has(`WebResources/${target.name}`), subArea.id).toBe(true);
      else throw new Error(`${subArea.id} leads to an unsupported URL ${target.url}`);
    }
    expect(subAreas.map((subArea) => subArea.target)).toEqual(expect.arrayContaining([
      { kind: "view", table: Tables.opportunity.logicalName, viewId: OPPORTUNITY_VIEWS[1]!.id },
      { kind: "table", table: CoSellSettingsTable.logicalName },
      { kind: "view", table: CoSellMappingTable.logicalName, viewId: MAPPING_VIEW_ID },
      { kind: "webresource", name: HEALTH_PAGE_NAME },
    ]));
    expect(entries.has(`WebResources/${HEALTH_SCRIPT_NAME}`)).toBe(true);
    expect(entries.get(`WebResources/${HEALTH_PAGE_NAME}`)!.toString("utf8")).toContain('<script src="../js/synchealth.js"></script>');
  });

  it("the app module lists the tables, views and forms its navigation opens, and the site map", () => {
    const components = [...customizationsXml.matchAll(/<AppModuleComponent ([^>]*)\/>/g)].map((match) => match[1]!);
    const schemaNames = components.flatMap((attributes) => [...attributes.matchAll(/schemaName="([^"]+)"/g)].map((m) => m[1]));
    const ids = components.flatMap((attributes) => [...attributes.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!.toLowerCase()));
    expect(schemaNames.sort()).toEqual([CoSellMappingTable.logicalName, CoSellSettingsTable.logicalName, Tables.opportunity.logicalName, COSELL_APP.siteMapUniqueName].sort());
    expect(ids.sort()).toEqual([...OPPORTUNITY_VIEWS.map((view) => view.id), MAPPING_VIEW_ID, "{eb124f35-6378-47f2-8040-a1b043ef50af}", SETTINGS_FORM_ID, MAPPING_FORM_ID].map((id) => id.toLowerCase()).sort());
  });

  it("ships the app, its site map and the heartbeat table as root components", () => {
    const manifest = entries.get("solution.xml")!.toString("utf8");
    expect(manifest).toContain(`<RootComponent type="80" schemaName="${COSELL_APP.uniqueName}" behavior="0"/>`);
    expect(manifest).toContain(`<RootComponent type="62" schemaName="${COSELL_APP.siteMapUniqueName}" behavior="0"/>`);
    expect(manifest).toContain(`<RootComponent type="1" schemaName="${CoSellHeartbeatTable.logicalName}" behavior="0"/>`);
  });
});

describe("the form page's reading of the app", () => {
  it("turns each view's FetchXML into the Web API query the Unified Interface sends", () => {
    const views = readViews(customizations);
    expect(views[OPPORTUNITY_VIEWS[1]!.id.toLowerCase()]).toMatchObject({ filter: `pcc_syncstatus eq ${SyncStatus.Error}`, orderBy: "modifiedon desc" });
    expect(views[MAPPING_VIEW_ID.toLowerCase()]).toMatchObject({ table: CoSellMappingTable.logicalName, filter: "statecode eq 0" });
  });

  it("reads subarea targets as the Unified Interface does, and says when a URL is not one it opens", () => {
    expect(subAreaTarget({ "@_Url": "$webresource:pcc_/html/x.html?data=1" })).toEqual({ kind: "webresource", name: "pcc_/html/x.html" });
    expect(subAreaTarget({ "@_Entity": "account" })).toEqual({ kind: "table", table: "account" });
    expect(subAreaTarget({ "@_Url": "/main.aspx?pagetype=entitylist&etn=account&viewid=%7BABC%7D&viewtype=1039" })).toEqual({ kind: "view", table: "account", viewId: "{abc}" });
    expect(subAreaTarget({ "@_Url": "https://example.com" })).toEqual({ kind: "unsupported", url: "https://example.com" });
  });

  it("refuses a view filter it cannot translate, naming the view and the operator", () => {
    const changed = customizationsXml.replace('operator="eq" value="581200003"', 'operator="like" value="%x%"');
    expect(() => readViews(xmlParser.parse(changed) as XmlNode)).toThrow('The view "Co-sell sync errors" filters with the operator like, which the form page does not translate yet');
  });
});
