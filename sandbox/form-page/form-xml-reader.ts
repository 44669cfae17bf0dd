/**
 * Reads a systemform's <form> (FormXml.xsd) into the page's FormModel: tabs → sections → rows →
 * cells, the cell's control, the code component bound to it through controlDescriptions, and the
 * form libraries and event handlers. Only what the Unified Interface needs to lay out and run the
 * form is kept; everything else in the XML is ignored, as the platform ignores what it does not use.
 */
import type { ControlParameter, CustomControlBinding, FormCell, FormEvent, FormModel, FormSection, FormTab } from "./page-model";
import { attr, child, children, isTrue, labelsOf, path, text, type XmlNode } from "./xml-reading";

/** The classid of a standard control is a GUID; a code component is named by namespace.constructor. */
function readCustomControl(description: XmlNode): CustomControlBinding | null {
  const named = children(description, "customControl").filter((candidate) => attr(candidate, "name"));
  // formFactor 0 is the web client; a description without one applies to every form factor.
  const chosen = named.find((candidate) => attr(candidate, "formFactor") === "0") ?? named.find((candidate) => !attr(candidate, "formFactor")) ?? named[0];
  if (!chosen) return null;
  const parameters: Record<string, ControlParameter> = {};
  for (const [name, raw] of Object.entries(child(chosen, "parameters") ?? {})) {
    if (name.startsWith("@_") || name === "#text") continue;
    const node = Array.isArray(raw) ? raw[0] : raw;
    const type = attr(node, "type") ?? null;
    const value = text(node).trim();
    parameters[name] = isTrue(attr(node, "static")) ? { kind: "static", value, type } : { kind: "bound", column: value, type };
  }
  return { name: attr(chosen, "name") ?? "", formFactor: attr(chosen, "formFactor") ?? null, parameters };
}

function controlDescriptions(form: XmlNode): Map<string, CustomControlBinding> {
  const result = new Map<string, CustomControlBinding>();
  for (const description of path(form, "controlDescriptions", "controlDescription")) {
    const forControl = attr(description, "forControl");
    const binding = readCustomControl(description);
    if (forControl && binding) result.set(forControl.toLowerCase(), binding);
  }
  return result;
}

function readCell(cell: XmlNode, bindings: Map<string, CustomControlBinding>): FormCell {
  const control = child(cell, "control");
  const uniqueId = attr(control, "uniqueid") ?? null;
  return {
    id: attr(cell, "id") ?? "",
    labels: labelsOf(cell),
    showLabel: attr(cell, "showlabel") !== "false",
    control: control
      ? {
          id: attr(control, "id") ?? "",
          classId: attr(control, "classid") ?? "",
          dataField: attr(control, "datafieldname") ?? null,
          uniqueId,
          disabled: isTrue(attr(control, "disabled")),
        }
      : null,
    customControl: uniqueId ? bindings.get(uniqueId.toLowerCase()) ?? null : null,
  };
}

function readSection(section: XmlNode, bindings: Map<string, CustomControlBinding>): FormSection {
  return {
    name: attr(section, "name") ?? "",
    labels: labelsOf(section),
    showLabel: attr(section, "showlabel") !== "false",
    rows: path(section, "rows", "row").map((row) => children(row, "cell").map((cell) => readCell(cell, bindings))),
  };
}

function readTab(tab: XmlNode, bindings: Map<string, CustomControlBinding>): FormTab {
  return {
    name: attr(tab, "name") ?? "",
    labels: labelsOf(tab),
    sections: path(tab, "columns", "column", "sections", "section").map((section) => readSection(section, bindings)),
  };
}

function readEvents(form: XmlNode): FormEvent[] {
  return path(form, "events", "event").map((event) => ({
    name: (attr(event, "name") ?? "").toLowerCase(),
    attribute: attr(event, "attribute") ?? null,
    handlers: path(event, "Handlers", "Handler").map((handler) => ({
      functionName: attr(handler, "functionName") ?? "",
      libraryName: attr(handler, "libraryName") ?? "",
      passExecutionContext: isTrue(attr(handler, "passExecutionContext")),
      parameters: attr(handler, "parameters") ?? "",
      enabled: attr(handler, "enabled") === undefined || isTrue(attr(handler, "enabled")),
    })),
  }));
}

/** The <systemform> element (with its <form>) → FormModel. */
export function readSystemForm(systemForm: XmlNode): FormModel {
  const form = child(systemForm, "form") ?? {};
  const bindings = controlDescriptions(form);
  const names: Record<string, string> = {};
  for (const name of path(systemForm, "LocalizedNames", "LocalizedName")) {
    const code = attr(name, "languagecode");
    const description = attr(name, "description");
    if (code && description) names[code] = description;
  }
  return {
    id: text(child(systemForm, "formid")).trim(),
    names,
    tabs: path(form, "tabs", "tab").map((tab) => readTab(tab, bindings)),
    libraries: path(form, "formLibraries", "Library").map((library) => attr(library, "name") ?? "").filter(Boolean),
    events: readEvents(form),
  };
}

/** Main forms of an Entity element of customizations.xml. */
export function mainForms(entity: XmlNode): XmlNode[] {
  return path(entity, "FormXml", "forms").filter((forms) => attr(forms, "type") === "main").flatMap((forms) => children(forms, "systemform"));
}
