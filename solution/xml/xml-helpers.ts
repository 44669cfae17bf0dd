/** Small helpers over xmlbuilder2 shared by the solution XML writers. */
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces";
import { LANGUAGES, type Localized } from "../../entities";

export type { XMLBuilder };

/** A new XML document with the declaration Dataverse exports carry. */
export function newDocument(): XMLBuilder {
  return create({ version: "1.0", encoding: "utf-8" });
}

/** Serialise with indentation, as Dataverse's own exports are. */
export function serialize(doc: XMLBuilder): string {
  return doc.end({ prettyPrint: true, indent: "  " });
}

/** Append an element with text content; returns the parent for chaining. */
export function textElement(parent: XMLBuilder, name: string, value: string | number): XMLBuilder {
  parent.ele(name).txt(String(value));
  return parent;
}

/**
 * Append `<containerName><itemName description=".." languagecode=".."/>...</containerName>`,
 * the shape Dataverse uses for displaynames, Descriptions and labels.
 */
export function localizedList(parent: XMLBuilder, containerName: string, itemName: string, text: Localized): XMLBuilder {
  const container = parent.ele(containerName);
  for (const lang of LANGUAGES) container.ele(itemName, { description: text[lang], languagecode: String(lang) });
  return parent;
}

/** Import an XML fragment (a part's <form> or <RibbonDiffXml>) under a parent element. */
export function importFragment(parent: XMLBuilder, fragmentXml: string): void {
  parent.import(create(fragmentXml));
}
