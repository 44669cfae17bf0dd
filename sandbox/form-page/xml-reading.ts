/**
 * Small helpers over fast-xml-parser's output. The solution XML puts attributes and text on the same
 * elements and repeats elements freely, so every read goes through these instead of trusting shapes.
 */
import { XMLParser } from "fast-xml-parser";
import type { Labels } from "./page-model";

export type XmlNode = Record<string, unknown>;

/** Elements that may repeat anywhere in form, ribbon, manifest and resx XML. */
const REPEATING = new Set([
  "Entity", "systemform", "forms", "tab", "column", "section", "row", "cell", "control", "label", "LocalizedName",
  "controlDescription", "customControl", "Library", "event", "Handler", "CustomAction", "Button", "CommandDefinition",
  "EnableRule", "DisplayRule", "JavaScriptFunction", "CrmParameter", "StringParameter", "BoolParameter", "IntParameter",
  "DecimalParameter", "CustomRule", "RecordPrivilegeRule", "SelectionCountRule", "LocLabel", "Title", "WebResource",
  "CustomControl", "property", "resx", "data", "code", "Area", "Group", "SubArea", "AppModuleSiteMap", "AppModule",
  "savedquery", "condition", "value", "cell", "attribute", "order",
]);

export const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => REPEATING.has(name),
});

export const asNode = (value: unknown): XmlNode => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as XmlNode) : {});

export function children(node: unknown, name: string): XmlNode[] {
  const value = asNode(node)[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => (typeof item === "string" ? { "#text": item } : asNode(item)));
}

export const child = (node: unknown, name: string): XmlNode | undefined => children(node, name)[0];

/** Follows a path of single children, e.g. path(form, "tabs", "tab"). */
export function path(node: unknown, ...names: string[]): XmlNode[] {
  let current: XmlNode[] = [asNode(node)];
  for (const name of names) current = current.flatMap((item) => children(item, name));
  return current;
}

export function attr(node: unknown, name: string): string | undefined {
  const value = asNode(node)[`@_${name}`];
  return typeof value === "string" ? value : undefined;
}

export function text(node: unknown): string {
  if (typeof node === "string") return node;
  const inner = asNode(node)["#text"];
  return typeof inner === "string" ? inner : typeof inner === "number" ? String(inner) : "";
}

/** labels/label[@description @languagecode] → { "1033": "..." }. */
export function labelsOf(node: unknown, container = "labels", element = "label", textAttribute = "description"): Labels {
  const labels: Labels = {};
  for (const label of path(node, container, element)) {
    const code = attr(label, "languagecode");
    const value = attr(label, textAttribute);
    if (code && value !== undefined) labels[code] = value;
  }
  return labels;
}

export const isTrue = (value: string | undefined) => value?.toLowerCase() === "true" || value === "1";
