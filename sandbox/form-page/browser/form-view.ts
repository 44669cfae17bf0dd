/**
 * The Opportunity form page: laid out from the shipped form XML (tabs, sections, cells), standard
 * columns as plain inputs, the cell the form binds to a code component hosting the built PCF bundle,
 * form notifications, and a command bar with Save plus the RibbonDiffXml buttons. The form's
 * libraries load before OnLoad runs, as on the platform.
 */
import { OpportunityStandardColumns, Tables } from "../../../entities/standard-tables";
import type { FormCell, FormModel, PageModel } from "../page-model";
import { commandBar, loadLibraries } from "./command-bar";
import { openErrorDialog } from "./dialogs";
import { clear, h } from "./dom";
import { fieldInput, type FieldInput } from "./field-input";
import { FormController, FormType, SAVE_CANCELLED } from "./form-controller";
import { labelIn, readTableMetadata } from "./metadata";
import { PcfHost, type FieldSecurity } from "./pcf-host";
import { loadScript } from "./script-host";
import { session } from "./session";
import { createFormContext, executionContextFor } from "./xrm-shim";

const SECURITY_CHOICES: { value: FieldSecurity; label: string }[] = [
  { value: "none", label: "not secured" },
  { value: "readOnly", label: "read-only" },
  { value: "masked", label: "masked" },
];

function formColumns(form: FormModel): string[] {
  const columns = new Set<string>();
  for (const cell of allCells(form)) {
    if (cell.control?.dataField) columns.add(cell.control.dataField);
    for (const parameter of Object.values(cell.customControl?.parameters ?? {})) if (parameter.kind === "bound" && parameter.column) columns.add(parameter.column);
  }
  // The state decides whether the record opens read-only (won/lost), as the platform's form type does.
  columns.add(OpportunityStandardColumns.stateCode);
  return [...columns];
}

function allCells(form: FormModel | null): FormCell[] {
  return form?.tabs.flatMap((tab) => tab.sections.flatMap((section) => section.rows.flat())) ?? [];
}

const isCancelled = (error: unknown) => error === SAVE_CANCELLED;

export interface FormViewOptions {
  onCreated(id: string): void;
  onNew(): void;
  onBack(): void;
}

export async function showOpportunityForm(root: HTMLElement, model: PageModel, id: string | null, options: FormViewOptions): Promise<() => void> {
  if (!model.form) {
    root.append(h("div", { className: "problem", role: "alert" }, model.formProblem ?? "No form"));
    return () => undefined;
  }
  return showRecordForm(root, model, { table: Tables.opportunity.logicalName, form: model.form, newTitle: { "1033": "New Opportunity", "1040": "Nuova opportunità" } }, id, options);
}

export interface RecordFormTarget {
  table: string;
  form: FormModel;
  /** The title of a record not saved yet. */
  newTitle: Record<string, string>;
}

/**
 * Any table's main form from the solution (the opportunity's, the settings', ...). The opportunity's
 * command bar (RibbonDiffXml) is the opportunity's only: other tables get Save, New and back.
 */
export async function showRecordForm(root: HTMLElement, model: PageModel, target: RecordFormTarget, id: string | null, options: FormViewOptions): Promise<() => void> {
  const form = target.form;
  const ribbon = target.table === Tables.opportunity.logicalName ? model.ribbon : [];
  const columns = formColumns(form);
  const table = await readTableMetadata(target.table, columns);
  let formContext: Xrm.FormContext | null = null;
  const controller: FormController = new FormController({
    form,
    table,
    columns,
    stateColumn: table.columns.has(OpportunityStandardColumns.stateCode) ? OpportunityStandardColumns.stateCode : null,
    // formContext is created right below, before anything can raise an event.
    executionContext: (c, source, saveArgs) => executionContextFor(formContext ?? createFormContext(c), session, source, saveArgs),
    onCreated: (newId) => options.onCreated(newId),
  });
  formContext = createFormContext(controller);

  // Each cell's control is a control of its column (what attribute.controls lists).
  for (const cell of allCells(form)) {
    const column = cell.control?.dataField;
    if (column && cell.control) controller.record.get(column)?.controls.push({ name: cell.control.id, disabled: cell.control.disabled });
  }

  for (const library of form.libraries) {
    const url = model.webResources[library];
    if (!url) throw new Error(`The form library ${library} is not a web resource of the solution`);
    await loadScript(url);
  }
  await loadLibraries(ribbon, model.webResources);

  const hosts = new Map<string, PcfHost>();
  for (const cell of allCells(form)) {
    const binding = cell.customControl;
    const controlModel = binding ? model.controls[binding.name] : undefined;
    if (!binding || !controlModel) continue;
    hosts.set(cell.id, new PcfHost({
      model: controlModel, binding, controller, column: cell.control?.dataField ?? null, controlName: cell.control?.id ?? cell.id,
      languageId: session.languageId, fieldSecurity: session.fieldSecurity, userId: session.userId, userName: session.userName,
    }));
  }

  await controller.open(id);
  for (const host of hosts.values()) await host.mount();

  const view = h("div", { className: "form-view" });
  root.append(view);
  let fields: FieldInput[] = [];
  let bar: ReturnType<typeof commandBar> | null = null;

  const save = () => controller.save().catch((error: unknown) => {
    if (!isCancelled(error)) void openErrorDialog({ message: `The record was not saved: ${(error as { message?: string }).message ?? String(error)}` });
  });

  const renderNotifications = (element: HTMLElement) => {
    clear(element);
    for (const [uniqueId, notification] of controller.notifications) {
      element.append(h("div", { className: `notification notification-${notification.level.toLowerCase()}`, role: "status", "data-notification": uniqueId }, notification.message));
    }
  };

  const renderCell = (cell: FormCell, language: number): HTMLElement => {
    const column = cell.control?.dataField ?? null;
    const host = hosts.get(cell.id);
    const label = labelIn(cell.labels, language, column ? labelIn(table.columns.get(column)?.displayNames ?? {}, language, column) : "");
    if (host) return h("div", { className: "cell cell-custom", "data-cell": cell.id }, host.container);
    if (cell.customControl) {
      return h("div", { className: "cell problem", "data-cell": cell.id }, model.controlProblems[cell.customControl.name] ?? `The code component ${cell.customControl.name} could not be loaded.`);
    }
    if (!column || !cell.control) return h("div", { className: "cell" });
    const inputId = `field-${column}`;
    const field = fieldInput(controller, column, cell.control.id, language, inputId);
    fields.push(field);
    return h("div", { className: "cell" }, cell.showLabel ? h("label", { for: inputId }, label) : null, field.element);
  };

  const securityPanel = () => {
    const bound = new Set([...hosts.keys()].flatMap((cellId) => {
      const cell = allCells(form).find((candidate) => candidate.id === cellId);
      return Object.values(cell?.customControl?.parameters ?? {}).flatMap((p) => (p.kind === "bound" ? [p.column] : []));
    }));
    return h("details", { className: "security-panel" },
      h("summary", {}, "Field security (rehearse masked and read-only co-sell columns)"),
      ...[...bound].map((column) => {
        const select = h("select", { "data-security": column }, ...SECURITY_CHOICES.map((choice) => h("option", { value: choice.value }, choice.label)));
        select.value = session.fieldSecurity(column);
        select.addEventListener("change", () => session.setFieldSecurity(column, select.value as FieldSecurity));
        return h("label", { className: "security-row" }, h("span", {}, column), select);
      }));
  };

  const render = () => {
    const language = session.languageId();
    clear(view);
    fields = [];
    const name = controller.record.get(table.primaryName)?.value;
    const title = controller.record.id ? String(name ?? "") : labelIn(target.newTitle, language);
    const saveButton = h("button", { type: "button", className: "command primary", "data-command": "save", onclick: () => void save() }, language === 1040 ? "Salva" : "Save");
    const newButton = h("button", { type: "button", className: "command", onclick: () => options.onNew() }, language === 1040 ? "Nuovo" : "New");
    const backButton = h("button", { type: "button", className: "command", onclick: () => options.onBack() }, "←");
    bar = commandBar(ribbon.filter((button) => button.surface === "form"), language, {
      primaryControl: formContext ?? undefined,
      primaryEntityTypeName: table.logicalName,
      primaryItemId: controller.record.id,
      canWriteRecord: () => controller.formType === FormType.Create || controller.formType === FormType.Update,
    }, [backButton, saveButton, newButton]);
    const notifications = h("div", { className: "notifications" });
    renderNotifications(notifications);
    view.append(
      bar.element,
      h("header", { className: "form-header" }, h("h1", { "data-record-title": "" }, title), h("span", { className: "form-name" }, `${labelIn(form.names, language, "Form")} · ${model.solution.source}`)),
      notifications,
      ...form.tabs.map((tab) => h("section", { className: "tab", "data-tab": tab.name },
        h("h2", {}, labelIn(tab.labels, language, tab.name)),
        ...tab.sections.map((section) => h("fieldset", { className: "section", "data-section": section.name },
          section.showLabel ? h("legend", {}, labelIn(section.labels, language, section.name)) : null,
          ...section.rows.map((row) => h("div", { className: "row" }, ...row.map((cell) => renderCell(cell, language)))))))),
      ...(hosts.size > 0 ? [securityPanel()] : []),
    );
  };

  const update = () => {
    for (const field of fields) field.update();
    const notifications = view.querySelector<HTMLElement>(".notifications");
    if (notifications) renderNotifications(notifications);
    const title = view.querySelector("[data-record-title]");
    const name = controller.record.get(table.primaryName)?.value;
    if (title && controller.record.id) title.textContent = String(name ?? "");
    for (const host of hosts.values()) host.render();
  };

  render();
  for (const host of hosts.values()) host.render();
  let lastId = controller.record.id;
  const stopController = controller.onChange(() => {
    // After a create the record has an id: the command bar's PrimaryItemId changes with it.
    if (controller.record.id !== lastId) {
      lastId = controller.record.id;
      render();
    }
    update();
  });
  const stopRibbon = controller.onRibbonRefresh(() => bar?.refresh());
  const stopSession = session.onChange(() => {
    render();
    update();
  });
  return () => {
    stopController();
    stopRibbon();
    stopSession();
    for (const host of hosts.values()) host.destroy();
  };
}
