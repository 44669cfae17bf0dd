/**
 * The model-driven app's pages, from the site map in the built solution: the navigation (areas →
 * groups → subareas), a system view's grid (its columns and the query its FetchXML stands for), a
 * table's rows (the admin's settings row, ...), and a web resource page in a frame (the Sync health
 * page), as the Unified Interface hosts it: same origin, reaching the app's Xrm through its parent.
 */
import type { AppModel, PageModel, SiteMapTarget, ViewModel } from "../page-model";
import { h } from "./dom";
import { labelIn, readTableMetadata, type TableMetadata } from "./metadata";
import { session } from "./session";
import { getJson } from "./web-api";

const FORMATTED = "@OData.Community.Display.V1.FormattedValue";
const LOOKUP_TYPES = ["Lookup", "Customer", "Owner"];

/** The page's address for a site map target. */
export function targetHash(target: SiteMapTarget | null): string | null {
  if (!target) return null;
  if (target.kind === "view") return `#/view/${encodeURIComponent(target.viewId)}`;
  if (target.kind === "table") return `#/table/${target.table}`;
  if (target.kind === "webresource") return `#/webresource/${target.name}`;
  return null;
}

/** The record's address: the opportunity has its own form page; other tables their main form. */
export function recordHash(table: string, id: string): string {
  return table === "opportunity" ? `#/opportunity/${id}` : `#/record/${table}/${id}`;
}

export function siteMapNav(app: AppModel | null): HTMLElement {
  const language = session.languageId();
  if (!app) return h("nav", { className: "site-map" }, h("p", { className: "problem" }, "The solution ships no app (no AppModuleSiteMaps in customizations.xml)."));
  return h("nav", { className: "site-map", "aria-label": labelIn(app.names, language, app.uniqueName), "data-app": app.uniqueName },
    h("div", { className: "app-name" }, labelIn(app.names, language, app.uniqueName)),
    ...app.areas.map((area) => h("div", { className: "area", "data-area": area.id },
      h("div", { className: "area-title" }, labelIn(area.titles, language, area.id)),
      ...area.groups.map((group) => h("div", { className: "group", "data-group": group.id },
        h("div", { className: "group-title" }, labelIn(group.titles, language, group.id)),
        ...group.subAreas.map((subArea) => {
          const hash = targetHash(subArea.target);
          const title = labelIn(subArea.titles, language, subArea.id);
          return hash
            ? h("a", { href: hash, "data-subarea": subArea.id, className: location.hash === hash ? "current" : "" }, title)
            : h("span", { "data-subarea": subArea.id, title: subArea.target?.kind === "unsupported" ? subArea.target.url : "no target" }, title);
        }))))));
}

/** A Boolean column's FetchXML value is 1/0; the Web API wants true/false. */
function webApiFilter(view: ViewModel, table: TableMetadata): string {
  return view.filter.replace(/(\w+) (eq|ne) ([01])\b/g, (whole, column: string, operator: string, value: string) =>
    table.columns.get(column)?.type === "Boolean" ? `${column} ${operator} ${value === "1"}` : whole);
}

const selectName = (table: TableMetadata, column: string) => (LOOKUP_TYPES.includes(table.columns.get(column)?.type ?? "") ? `_${column}_value` : column);

export async function showView(root: HTMLElement, model: PageModel, viewId: string): Promise<void> {
  const view = model.views[viewId.toLowerCase()];
  if (!view) throw new Error(`The site map opens the view ${viewId}, which the solution does not contain.`);
  const language = session.languageId();
  const table = await readTableMetadata(view.table, []);
  const query = new URLSearchParams({ $select: [table.primaryId, ...view.columns.map((column) => selectName(table, column))].join(",") });
  const filter = webApiFilter(view, table);
  if (filter) query.set("$filter", filter);
  if (view.orderBy) query.set("$orderby", view.orderBy);
  const rows = await getJson<{ value: Record<string, unknown>[] }>(`${table.entitySetName}?${query.toString().replace(/\+/g, "%20")}`);
  const cellText = (row: Record<string, unknown>, column: string) => {
    const name = selectName(table, column);
    return String(row[`${name}${FORMATTED}`] ?? row[name] ?? "");
  };
  root.append(
    h("h1", { "data-view": view.id }, labelIn(view.names, language, view.id)),
    h("table", { className: "grid" },
      h("thead", {}, h("tr", {}, ...view.columns.map((column) => h("th", {}, labelIn(table.columns.get(column)?.displayNames ?? {}, language, column))))),
      h("tbody", {}, ...rows.value.map((row) => {
        const id = String(row[table.primaryId]);
        return h("tr", { "data-row": id }, ...view.columns.map((column, index) => h("td", {},
          index === 0 ? h("a", { href: recordHash(view.table, id) }, cellText(row, column) || "(no name)") : cellText(row, column))));
      }),
      rows.value.length === 0 ? h("tbody", {}, h("tr", {}, h("td", { colspan: view.columns.length }, language === 1040 ? "Nessun record." : "No records."))) : null)),
  );
}

/** A table's active rows by primary name, with New: for the settings table, the admin's one row. */
export async function showTable(root: HTMLElement, logicalName: string): Promise<void> {
  const language = session.languageId();
  const table = await readTableMetadata(logicalName, []);
  const definitions = await getJson<{ DisplayCollectionName?: { LocalizedLabels?: { Label: string; LanguageCode: number }[] } }>(
    `EntityDefinitions(LogicalName='${logicalName}')?$select=DisplayCollectionName`,
  );
  const title = definitions.DisplayCollectionName?.LocalizedLabels?.find((label) => label.LanguageCode === language)?.Label ?? logicalName;
  const rows = await getJson<{ value: Record<string, unknown>[] }>(`${table.entitySetName}?$select=${table.primaryId},${table.primaryName},modifiedon&$filter=statecode eq 0&$orderby=createdon asc`);
  root.append(
    h("div", { className: "command-bar" }, h("a", { href: `#/record/${logicalName}/new`, className: "command primary", "data-command": "new-record" }, language === 1040 ? "Nuovo" : "New")),
    h("h1", { "data-table": logicalName }, title),
    h("table", { className: "grid" }, h("tbody", {},
      ...rows.value.map((row) => h("tr", { "data-row": String(row[table.primaryId]) },
        h("td", {}, h("a", { href: recordHash(logicalName, String(row[table.primaryId])) }, String(row[table.primaryName] ?? "(no name)"))),
        h("td", {}, String(row[`modifiedon${FORMATTED}`] ?? row["modifiedon"] ?? "")))),
      rows.value.length === 0 ? h("tr", {}, h("td", {}, language === 1040 ? "Nessun record." : "No records.")) : null)),
  );
}

/** A web resource page in a frame (same origin: it reaches the app's Xrm through window.parent). */
export async function showWebResource(root: HTMLElement, model: PageModel, name: string): Promise<void> {
  const url = model.webResources[name];
  if (!url) throw new Error(`The site map opens the web resource ${name}, which the solution does not contain.`);
  const frame = h("iframe", { src: url, className: "web-resource", title: name, "data-webresource": name });
  root.append(frame);
  await new Promise<void>((resolve) => frame.addEventListener("load", () => resolve(), { once: true }));
}
