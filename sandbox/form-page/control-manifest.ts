/** Reads a compiled ControlManifest.xml and the resx files it lists, as the platform does when it loads a code component. */
import type { ControlProperty } from "./page-model";
import { attr, child, children, text, xmlParser } from "./xml-reading";

export interface ControlManifest {
  registeredName: string;
  controlType: string;
  properties: ControlProperty[];
  codePath: string;
  /** Relative path of each resx file, by language code (from the PCF file-name convention Name.1033.resx). */
  resx: Record<string, string>;
}

export function readControlManifest(xml: string): ControlManifest {
  const control = child(xmlParser.parse(xml), "manifest");
  const node = child(control, "control");
  if (!node) throw new Error("ControlManifest.xml has no <control> element");
  const resources = child(node, "resources");
  const resx: Record<string, string> = {};
  for (const file of children(resources, "resx")) {
    const filePath = attr(file, "path") ?? "";
    const code = /\.(\d{4,5})\.resx$/i.exec(filePath)?.[1];
    if (code) resx[code] = filePath;
  }
  return {
    registeredName: `${attr(node, "namespace") ?? ""}.${attr(node, "constructor") ?? ""}`,
    controlType: attr(node, "control-type") ?? "standard",
    properties: children(node, "property").map((property) => ({
      name: attr(property, "name") ?? "",
      ofType: attr(property, "of-type") ?? "",
      usage: attr(property, "usage") ?? "bound",
    })),
    codePath: attr(children(resources, "code")[0], "path") ?? "bundle.js",
    resx,
  };
}

/** resx <data name><value> pairs. */
export function readResx(xml: string): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const data of children(child(xmlParser.parse(xml), "root"), "data")) {
    const name = attr(data, "name");
    if (name) strings[name] = text(child(data, "value"));
  }
  return strings;
}
