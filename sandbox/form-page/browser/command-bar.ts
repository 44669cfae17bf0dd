/**
 * The command bar from the RibbonDiffXml: one button per custom action for this surface, labelled
 * from its LocLabels in the user's language, enabled when every enable rule of its command passes
 * (custom rules call the web resource with their CrmParameters), and running its JavaScriptFunction
 * actions with the parameters the XML asks for.
 */
import type { RibbonButton, RibbonFunctionCall, RibbonParameter, RibbonRuleCheck } from "../page-model";
import { openErrorDialog } from "./dialogs";
import { h } from "./dom";
import { labelIn } from "./metadata";
import { callGlobalFunction, loadScript } from "./script-host";

/** What CrmParameter values resolve to on this surface. */
export interface RibbonContext {
  primaryControl?: Xrm.FormContext;
  primaryEntityTypeName: string;
  primaryItemId?: string | null;
  selectedIds?: () => string[];
  selectedControl?: { refresh(): void };
  /** False when the record may not be written (read-only form). */
  canWriteRecord: () => boolean;
}

function crmParameter(value: string, context: RibbonContext): unknown {
  switch (value) {
    case "PrimaryControl": return context.primaryControl;
    case "PrimaryEntityTypeName": return context.primaryEntityTypeName;
    case "FirstPrimaryItemId": return context.primaryItemId ? `{${context.primaryItemId.toUpperCase()}}` : null;
    case "PrimaryItemIds": return context.primaryItemId ? [`{${context.primaryItemId.toUpperCase()}}`] : [];
    case "SelectedControlSelectedItemIds": return (context.selectedIds?.() ?? []).map((id) => `{${id.toUpperCase()}}`);
    case "SelectedControlSelectedItemCount": return context.selectedIds?.().length ?? 0;
    case "SelectedControl": return context.selectedControl;
    case "SelectedEntityTypeName": return context.primaryEntityTypeName;
    default: throw new Error(`CrmParameter ${value} is not supported by the sandbox form page`);
  }
}

const argumentsFor = (parameters: RibbonParameter[], context: RibbonContext) =>
  parameters.map((parameter) => (parameter.kind === "crm" ? crmParameter(parameter.value, context) : parameter.value));

export async function loadLibraries(buttons: RibbonButton[], webResources: Record<string, string>): Promise<void> {
  const libraries = new Set(buttons.flatMap((button) => [...button.actions, ...button.enableRules.flatMap((rule) => rule.checks.flatMap((check) => (check.kind === "custom" ? [check.call] : [])))].map((call) => call.library)));
  for (const library of libraries) {
    const url = webResources[library];
    if (url) await loadScript(url);
  }
}

async function checkPasses(check: RibbonRuleCheck, context: RibbonContext): Promise<boolean> {
  switch (check.kind) {
    case "custom": {
      try {
        let result = callGlobalFunction(check.call.functionName, check.call.library, argumentsFor(check.call.parameters, context));
        // The Unified Interface accepts a promise from a custom rule too.
        if (result && typeof (result as Promise<unknown>).then === "function") result = await result;
        const passed = result === true;
        return check.invertResult ? !passed : passed;
      } catch {
        return check.defaultValue;
      }
    }
    case "recordPrivilege": return context.canWriteRecord();
    case "selectionCount": {
      const count = context.selectedIds?.().length ?? 0;
      return (check.minimum === null || count >= check.minimum) && (check.maximum === null || count <= check.maximum);
    }
    case "unsupported": return true;
  }
}

async function isEnabled(button: RibbonButton, context: RibbonContext): Promise<boolean> {
  for (const rule of button.enableRules) {
    for (const check of rule.checks) if (!(await checkPasses(check, context))) return false;
  }
  return true;
}

async function run(calls: RibbonFunctionCall[], context: RibbonContext): Promise<void> {
  for (const call of calls) {
    try {
      await callGlobalFunction(call.functionName, call.library, argumentsFor(call.parameters, context));
    } catch (error) {
      await openErrorDialog({ message: `The command failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
}

export interface CommandBar {
  element: HTMLElement;
  /** Re-evaluates the enable rules (after the record or the selection changed). */
  refresh(): void;
}

export function commandBar(buttons: RibbonButton[], languageId: number, context: RibbonContext, leading: HTMLElement[] = []): CommandBar {
  const rendered = buttons.map((button) => {
    const element = h("button", {
      type: "button", className: "command", "data-command": button.id, title: labelIn(button.tooltips, languageId), disabled: true,
      onclick: () => void run(button.actions, context),
    }, labelIn(button.labels, languageId, button.id));
    return { button, element };
  });
  let generation = 0;
  const bar: CommandBar = {
    element: h("div", { className: "command-bar", role: "toolbar" }, ...leading, ...rendered.map((item) => item.element)),
    refresh: () => {
      const current = ++generation;
      void Promise.all(rendered.map(async (item) => ({ item, enabled: await isEnabled(item.button, context) }))).then((results) => {
        if (current !== generation) return; // a newer evaluation is on its way
        for (const { item, enabled } of results) item.element.disabled = !enabled;
      });
    },
  };
  bar.refresh();
  return bar;
}
