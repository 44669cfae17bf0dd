/**
 * Reads an entity's <RibbonDiffXml> (RibbonCore.xsd) into the buttons the page shows: each custom
 * action's button with its $LocLabels: text, the enable rules of its command (custom rules call the
 * web resource; the declarative ones the page can judge) and the JavaScriptFunction actions.
 * Display rules are not evaluated: the sandbox user holds every privilege, so they would all pass.
 */
import type { Labels, RibbonButton, RibbonFunctionCall, RibbonParameter, RibbonRuleCheck } from "./page-model";
import { attr, children, isTrue, path, type XmlNode } from "./xml-reading";

const WEB_RESOURCE_PREFIX = "$webresource:";
const LOC_LABEL_PREFIX = "$LocLabels:";

function locLabels(ribbon: XmlNode): Map<string, Labels> {
  const result = new Map<string, Labels>();
  for (const locLabel of path(ribbon, "LocLabels", "LocLabel")) {
    const labels: Labels = {};
    for (const title of path(locLabel, "Titles", "Title")) {
      const code = attr(title, "languagecode");
      const description = attr(title, "description");
      if (code && description !== undefined) labels[code] = description;
    }
    result.set(attr(locLabel, "Id") ?? "", labels);
  }
  return result;
}

function resolveLabel(value: string | undefined, labels: Map<string, Labels>): Labels {
  if (!value) return {};
  if (!value.startsWith(LOC_LABEL_PREFIX)) return { "1033": value };
  return labels.get(value.slice(LOC_LABEL_PREFIX.length)) ?? { "1033": value };
}

function readParameters(node: XmlNode): RibbonParameter[] {
  // Parameter order matters (they are positional); fast-xml-parser groups by element name, so the
  // page supports the usual case of one kind of parameter per call, CrmParameters first.
  const parameters: RibbonParameter[] = children(node, "CrmParameter").map((p) => ({ kind: "crm", value: attr(p, "Value") ?? "" }));
  for (const p of children(node, "StringParameter")) parameters.push({ kind: "literal", value: attr(p, "Value") ?? "" });
  for (const p of children(node, "BoolParameter")) parameters.push({ kind: "literal", value: isTrue(attr(p, "Value")) });
  for (const p of [...children(node, "IntParameter"), ...children(node, "DecimalParameter")]) {
    parameters.push({ kind: "literal", value: Number(attr(p, "Value")) });
  }
  return parameters;
}

function functionCall(node: XmlNode): RibbonFunctionCall {
  const library = attr(node, "Library") ?? "";
  return {
    functionName: attr(node, "FunctionName") ?? "",
    library: library.startsWith(WEB_RESOURCE_PREFIX) ? library.slice(WEB_RESOURCE_PREFIX.length) : library,
    parameters: readParameters(node),
  };
}

function ruleChecks(rule: XmlNode): RibbonRuleCheck[] {
  const checks: RibbonRuleCheck[] = [];
  for (const [element, value] of Object.entries(rule)) {
    if (element.startsWith("@_") || element === "#text") continue;
    const nodes = (Array.isArray(value) ? value : [value]) as XmlNode[];
    for (const node of nodes) {
      if (element === "CustomRule") {
        checks.push({ kind: "custom", call: functionCall(node), defaultValue: attr(node, "Default") === undefined || isTrue(attr(node, "Default")), invertResult: isTrue(attr(node, "InvertResult")) });
      } else if (element === "RecordPrivilegeRule") {
        checks.push({ kind: "recordPrivilege", privilege: attr(node, "PrivilegeType") ?? "" });
      } else if (element === "SelectionCountRule") {
        const min = attr(node, "Minimum");
        const max = attr(node, "Maximum");
        checks.push({ kind: "selectionCount", minimum: min === undefined ? null : Number(min), maximum: max === undefined ? null : Number(max) });
      } else {
        checks.push({ kind: "unsupported", element });
      }
    }
  }
  return checks;
}

function surfaceOf(location: string): RibbonButton["surface"] | null {
  if (/^Mscrm\.Form\./.test(location)) return "form";
  if (/^Mscrm\.(HomepageGrid|SubGrid)\./.test(location)) return "grid";
  return null;
}

export function readRibbonDiff(ribbon: XmlNode): RibbonButton[] {
  const labels = locLabels(ribbon);
  const commands = new Map(path(ribbon, "CommandDefinitions", "CommandDefinition").map((command) => [attr(command, "Id") ?? "", command]));
  const enableRules = new Map(path(ribbon, "RuleDefinitions", "EnableRules", "EnableRule").map((rule) => [attr(rule, "Id") ?? "", rule]));
  const buttons: RibbonButton[] = [];
  for (const action of path(ribbon, "CustomActions", "CustomAction")) {
    const surface = surfaceOf(attr(action, "Location") ?? "");
    if (!surface) continue;
    for (const button of path(action, "CommandUIDefinition", "Button")) {
      const command = commands.get(attr(button, "Command") ?? "");
      buttons.push({
        id: attr(button, "Id") ?? "",
        surface,
        sequence: Number(attr(button, "Sequence") ?? attr(action, "Sequence") ?? 0),
        labels: resolveLabel(attr(button, "LabelText"), labels),
        tooltips: resolveLabel(attr(button, "ToolTipDescription"), labels),
        enableRules: path(command, "EnableRules", "EnableRule").map((reference) => {
          const id = attr(reference, "Id") ?? "";
          const rule = enableRules.get(id);
          return { id, checks: rule ? ruleChecks(rule) : [{ kind: "unsupported", element: `missing rule ${id}` }] };
        }),
        actions: path(command, "Actions", "JavaScriptFunction").map(functionCall),
      });
    }
  }
  return buttons.sort((a, b) => a.sequence - b.sequence);
}
