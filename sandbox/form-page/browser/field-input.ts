/**
 * A standard control for one column: a plain input that fits the column type. It writes through the
 * form (so OnChange runs) and follows the record when a script or a refresh changes the value.
 */
import { h } from "./dom";
import { FormType, type FormController } from "./form-controller";
import { labelIn, type ColumnMeta } from "./metadata";
import { isLookup, type AttributeValue } from "./record-state";
import { getJson } from "./web-api";

export interface FieldInput {
  element: HTMLElement;
  update(): void;
}

interface LookupChoice { id: string; name: string; entityType: string }

const lookupChoices = new Map<string, Promise<LookupChoice[]>>();

/** The rows a lookup can point to (first 100 by name per target table). */
function choicesFor(meta: ColumnMeta): Promise<LookupChoice[]> {
  const key = meta.targets.join(",");
  let choices = lookupChoices.get(key);
  if (!choices) {
    choices = Promise.all(meta.targets.map(async (target) => {
      const table = await getJson<{ EntitySetName: string; PrimaryIdAttribute: string; PrimaryNameAttribute: string }>(
        `EntityDefinitions(LogicalName='${target}')?$select=EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute`,
      );
      const rows = await getJson<{ value: Record<string, unknown>[] }>(
        `${table.EntitySetName}?$select=${table.PrimaryIdAttribute},${table.PrimaryNameAttribute}&$orderby=${table.PrimaryNameAttribute}&$top=100`,
      );
      return rows.value.map((row) => ({ id: String(row[table.PrimaryIdAttribute]), name: String(row[table.PrimaryNameAttribute] ?? ""), entityType: target }));
    })).then((lists) => lists.flat());
    lookupChoices.set(key, choices);
  }
  return choices;
}

/** Forget cached lookup rows (the list page may have created some). */
export function forgetLookupChoices(): void {
  lookupChoices.clear();
}

const pad = (n: number) => String(n).padStart(2, "0");
const dayText = (date: Date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
const dateTimeText = (date: Date) => `${dayText(date)}T${pad(date.getHours())}:${pad(date.getMinutes())}`;

export function fieldInput(controller: FormController, column: string, controlName: string, languageId: number, inputId: string): FieldInput {
  const state = controller.record.get(column);
  if (!state) {
    return { element: h("div", { className: "field-problem" }, `${column} is not a column of this org (was the solution imported?)`), update: () => undefined };
  }
  const meta = state.meta;
  const write = (value: AttributeValue) => controller.setValueFromUser(column, value);
  const common = { id: inputId, "data-field": column };
  let element: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  let show: (value: AttributeValue) => void;

  if (isLookup(meta)) {
    const select = h("select", common, h("option", { value: "" }, "—"));
    void choicesFor(meta).then((choices) => {
      for (const choice of choices) select.append(h("option", { value: `${choice.entityType}:${choice.id}` }, choice.name));
      show(controller.record.get(column)?.value ?? null);
    });
    select.addEventListener("change", () => {
      const [entityType = "", id = ""] = select.value.split(":");
      write(select.value ? [{ id: `{${id.toUpperCase()}}`, name: select.selectedOptions[0]?.textContent ?? "", entityType }] : null);
    });
    show = (value) => {
      const lookup = Array.isArray(value) ? value[0] : undefined;
      const wanted = lookup ? `${lookup.entityType}:${lookup.id.replace(/[{}]/g, "").toLowerCase()}` : "";
      if (lookup && ![...select.options].some((option) => option.value === wanted)) select.append(h("option", { value: wanted }, lookup.name ?? ""));
      select.value = wanted;
    };
    element = select;
  } else if (meta.options && meta.type !== "Boolean") {
    const select = h("select", common, h("option", { value: "" }, "—"), ...meta.options.map((option) => h("option", { value: String(option.value) }, labelIn(option.labels, languageId))));
    select.addEventListener("change", () => write(select.value === "" ? null : Number(select.value)));
    show = (value) => { select.value = value === null ? "" : String(value); };
    element = select;
  } else if (meta.type === "Boolean") {
    const input = h("input", { ...common, type: "checkbox" });
    input.addEventListener("change", () => write(input.checked));
    show = (value) => { input.checked = value === true; };
    element = input;
  } else if (meta.type === "Memo") {
    const area = h("textarea", { ...common, rows: 3, maxlength: meta.maxLength ?? undefined });
    area.addEventListener("change", () => write(area.value === "" ? null : area.value));
    show = (value) => { area.value = typeof value === "string" ? value : ""; };
    element = area;
  } else if (meta.type === "DateTime") {
    const input = h("input", { ...common, type: meta.dateOnly ? "date" : "datetime-local" });
    input.addEventListener("change", () => write(input.value ? new Date(meta.dateOnly ? `${input.value}T00:00` : input.value) : null));
    show = (value) => { input.value = value instanceof Date ? (meta.dateOnly ? dayText(value) : dateTimeText(value)) : ""; };
    element = input;
  } else if (["Money", "Decimal", "Double", "Integer", "BigInt"].includes(meta.type)) {
    const input = h("input", { ...common, type: "number", step: meta.type === "Integer" || meta.type === "BigInt" ? "1" : "any" });
    input.addEventListener("change", () => write(input.value === "" ? null : Number(input.value)));
    show = (value) => { input.value = typeof value === "number" ? String(value) : ""; };
    element = input;
  } else {
    const input = h("input", { ...common, type: "text", maxlength: meta.maxLength ?? undefined });
    input.addEventListener("change", () => write(input.value === "" ? null : input.value));
    show = (value) => { input.value = value === null ? "" : String(value); };
    element = input;
  }

  const update = () => {
    const current = controller.record.get(column);
    if (!current) return;
    const disabled = controller.formType === FormType.ReadOnly || controller.formType === FormType.Disabled || (current.controls.find((c) => c.name === controlName)?.disabled ?? false);
    element.disabled = disabled;
    // Do not overwrite what the user is typing.
    if (document.activeElement !== element) show(current.value);
    element.toggleAttribute("aria-required", current.requiredLevel === "required");
  };
  update();
  return { element, update };
}
