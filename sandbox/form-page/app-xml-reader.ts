/**
 * Reads the model-driven app out of customizations.xml for the form page: the app's names and its
 * site map (AppModuleSiteMaps: areas → groups → subareas, each a table, a system view or a web
 * resource page), the system views the site map opens (savedquery: columns from layoutxml, the filter
 * and order from fetchxml, turned into the Web API query the Unified Interface would send), and the
 * main form of each of our own tables. What the XML does not say, the page does not invent.
 */
import type { AppModel, FormModel, SiteMapTarget, ViewModel } from "./page-model";
import { mainForms, readSystemForm } from "./form-xml-reader";
import { attr, child, children, path, text, type XmlNode } from "./xml-reading";

function titles(node: XmlNode): Record<string, string> {
  const result: Record<string, string> = {};
  for (const title of path(node, "Titles", "Title")) {
    const lcid = attr(title, "LCID");
    const value = attr(title, "Title");
    if (lcid && value !== undefined) result[lcid] = value;
  }
  return result;
}

function localizedNames(node: XmlNode | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of path(node, "LocalizedNames", "LocalizedName")) {
    const code = attr(name, "languagecode");
    const value = attr(name, "description");
    if (code && value !== undefined) result[code] = value;
  }
  return result;
}

/** A subarea's target, as the Unified Interface reads Url and Entity. */
export function subAreaTarget(subArea: XmlNode): SiteMapTarget | null {
  const url = attr(subArea, "Url");
  const entity = attr(subArea, "Entity");
  if (url?.startsWith("$webresource:")) return { kind: "webresource", name: url.slice("$webresource:".length).split("?")[0]! };
  if (url) {
    const query = new URLSearchParams(url.split("?")[1] ?? "");
    if (query.get("pagetype") === "entitylist" && query.get("etn") && query.get("viewid")) {
      return { kind: "view", table: query.get("etn")!, viewId: query.get("viewid")!.toLowerCase() };
    }
    return { kind: "unsupported", url };
  }
  return entity ? { kind: "table", table: entity } : null;
}

export function readApp(customizations: XmlNode): AppModel | null {
  const root = child(customizations, "ImportExportXml");
  const siteMap = path(root, "AppModuleSiteMaps", "AppModuleSiteMap")[0];
  if (!siteMap) return null;
  const app = path(root, "AppModules", "AppModule")[0];
  return {
    uniqueName: text(child(app, "UniqueName")),
    names: localizedNames(app),
    areas: path(siteMap, "SiteMap", "Area").map((area) => ({
      id: attr(area, "Id") ?? "",
      titles: titles(area),
      groups: children(area, "Group").map((group) => ({
        id: attr(group, "Id") ?? "",
        titles: titles(group),
        subAreas: children(group, "SubArea").map((subArea) => ({ id: attr(subArea, "Id") ?? "", titles: titles(subArea), target: subAreaTarget(subArea) })),
      })),
    })),
  };
}

const literal = (value: string) => (/^-?\d+(\.\d+)?$/.test(value) || value === "true" || value === "false" ? value : `'${value.replace(/'/g, "''")}'`);

/** FetchXML conditions (eq, ne, in, null, not-null) → an OData $filter; any other operator is refused by name. */
function odataFilter(filter: XmlNode | undefined, viewName: string): string {
  const type = attr(filter, "type") === "or" ? " or " : " and ";
  const parts = children(filter, "condition").map((condition) => {
    const column = attr(condition, "attribute") ?? "";
    const operator = attr(condition, "operator");
    const value = attr(condition, "value") ?? "";
    if (operator === "eq") return `${column} eq ${literal(value)}`;
    if (operator === "ne") return `${column} ne ${literal(value)}`;
    if (operator === "null") return `${column} eq null`;
    if (operator === "not-null") return `${column} ne null`;
    if (operator === "in") return `(${children(condition, "value").map((item) => `${column} eq ${literal(text(item))}`).join(" or ")})`;
    throw new Error(`The view "${viewName}" filters with the operator ${operator ?? "(none)"}, which the form page does not translate yet`);
  });
  return parts.join(type);
}

function readView(query: XmlNode, table: string): ViewModel {
  const names = localizedNames(query);
  const entity = path(query, "fetchxml", "fetch", "entity")[0];
  const order = children(entity, "order")[0];
  return {
    id: text(child(query, "savedqueryid")).trim().toLowerCase(),
    table,
    names,
    columns: path(query, "layoutxml", "grid", "row", "cell").map((cell) => attr(cell, "name") ?? "").filter(Boolean),
    filter: odataFilter(children(entity, "filter")[0], names["1033"] ?? "view"),
    orderBy: order ? `${attr(order, "attribute")}${attr(order, "descending") === "true" ? " desc" : " asc"}` : null,
  };
}

const entityName = (entity: XmlNode) => (attr(child(child(entity, "EntityInfo"), "entity"), "Name") ?? text(child(entity, "Name"))).toLowerCase();

/** Every system view of every table in the zip, by view id. */
export function readViews(customizations: XmlNode): Record<string, ViewModel> {
  const views: Record<string, ViewModel> = {};
  for (const entity of path(customizations, "ImportExportXml", "Entities", "Entity")) {
    for (const query of path(entity, "SavedQueries", "savedqueries", "savedquery")) {
      const view = readView(query, entityName(entity));
      views[view.id] = view;
    }
  }
  return views;
}

/** The first main form of each table other than `except` (the opportunity form has its own place in the model). */
export function readTableForms(customizations: XmlNode, except: string): Record<string, FormModel> {
  const forms: Record<string, FormModel> = {};
  for (const entity of path(customizations, "ImportExportXml", "Entities", "Entity")) {
    const name = entityName(entity);
    const form = mainForms(entity)[0];
    if (name !== except && form) forms[name] = readSystemForm(form);
  }
  return forms;
}
