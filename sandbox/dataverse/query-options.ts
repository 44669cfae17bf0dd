/**
 * Reads the OData system query options and the Prefer header of a request into one typed object.
 * Only syntax is checked here; names are checked against the table by the query engine.
 */
import { badQuery } from "./odata-error";
import { parseFilter, type FilterExpression } from "./odata-filter";

export interface ExpandOption {
  navigationProperty: string;
  select?: string[];
}

export interface OrderBy {
  property: string;
  descending: boolean;
}

export interface QueryOptions {
  select?: string[];
  expand: ExpandOption[];
  filter?: FilterExpression;
  orderBy: OrderBy[];
  top?: number;
  count: boolean;
  skipToken?: string;
  deltaToken?: string;
}

export interface Preferences {
  maxPageSize?: number;
  /** Annotation patterns from odata.include-annotations ("*", "OData.Community.Display.V1.FormattedValue" ...). */
  includeAnnotations: string[];
  returnRepresentation: boolean;
  trackChanges: boolean;
}

/** Splits on commas that are not inside parentheses: "a,b($select=c,d),e" → ["a", "b($select=c,d)", "e"]. */
export function splitTopLevel(text: string, separator = ","): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth += 1;
    if (ch === ")") depth -= 1;
    if (ch === separator && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  if (current.length > 0) parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

function parseExpand(text: string): ExpandOption[] {
  return splitTopLevel(text).map((item) => {
    const open = item.indexOf("(");
    if (open < 0) return { navigationProperty: item };
    if (!item.endsWith(")")) throw badQuery(`Syntax error in $expand at '${item}'.`);
    const navigationProperty = item.slice(0, open).trim();
    const inner = item.slice(open + 1, -1);
    const option: ExpandOption = { navigationProperty };
    for (const part of splitTopLevel(inner, ";")) {
      const [name, value = ""] = part.split(/=(.*)/s);
      if (name?.trim() === "$select") option.select = splitTopLevel(value);
      else throw badQuery(`The query option '${name ?? ""}' is not supported inside $expand of a single-valued navigation property.`);
    }
    return option;
  });
}

function parseOrderBy(text: string): OrderBy[] {
  return splitTopLevel(text).map((item) => {
    const [property = "", direction = "asc", ...extra] = item.split(/\s+/);
    if (extra.length > 0 || !["asc", "desc"].includes(direction)) throw badQuery(`Syntax error in $orderby at '${item}'.`);
    return { property, descending: direction === "desc" };
  });
}

export function parseQueryOptions(query: Record<string, unknown>): QueryOptions {
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw badQuery(`The query option '${name}' was given more than once.`);
    return value;
  };
  const known = new Set(["$select", "$expand", "$filter", "$orderby", "$top", "$count", "$skiptoken", "$deltatoken"]);
  for (const name of Object.keys(query)) {
    if (name.startsWith("$") && !known.has(name)) throw badQuery(`The query parameter ${name} is not supported`);
  }
  const options: QueryOptions = { expand: [], orderBy: [], count: false };
  const select = text("$select");
  if (select !== undefined) options.select = splitTopLevel(select);
  const expand = text("$expand");
  if (expand !== undefined) options.expand = parseExpand(expand);
  const filter = text("$filter");
  if (filter !== undefined) options.filter = parseFilter(filter);
  const orderBy = text("$orderby");
  if (orderBy !== undefined) options.orderBy = parseOrderBy(orderBy);
  const top = text("$top");
  if (top !== undefined) {
    const value = Number(top);
    if (!Number.isInteger(value) || value < 0) throw badQuery(`Invalid value '${top}' for $top query option found.`);
    options.top = value;
  }
  const count = text("$count");
  if (count !== undefined) options.count = count === "true";
  options.skipToken = text("$skiptoken");
  options.deltaToken = text("$deltatoken");
  return options;
}

export function parsePreferences(header: string | string[] | undefined): Preferences {
  const preferences: Preferences = { includeAnnotations: [], returnRepresentation: false, trackChanges: false };
  const values = Array.isArray(header) ? header : header ? [header] : [];
  for (const raw of values.flatMap((value) => value.split(","))) {
    const [name = "", value = ""] = raw.trim().split(/=(.*)/s).map((part) => part.trim());
    const unquoted = value.replace(/^"|"$/g, "");
    switch (name.toLowerCase()) {
      case "odata.maxpagesize":
        preferences.maxPageSize = Number.parseInt(unquoted, 10) || undefined;
        break;
      case "odata.include-annotations":
        preferences.includeAnnotations.push(unquoted);
        break;
      case "return":
        preferences.returnRepresentation = unquoted === "representation";
        break;
      case "odata.track-changes":
        preferences.trackChanges = true;
        break;
    }
  }
  return preferences;
}

/** True when the preferences ask for the annotation (patterns may end with "*"). */
export function wantsAnnotation(preferences: Preferences, annotation: string): boolean {
  return preferences.includeAnnotations.some((pattern) =>
    pattern.endsWith("*") ? annotation.startsWith(pattern.slice(0, -1)) : pattern === annotation,
  );
}
