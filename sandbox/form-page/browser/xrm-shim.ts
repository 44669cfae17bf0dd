/**
 * The Xrm object model the co-sell web resource uses (see webresources/src: getAttribute, attribute
 * getValue/setValue/setSubmitMode/controls, data.save/refresh, data.entity.getId/save,
 * ui.getFormType/setFormNotification/clearFormNotification; Xrm.Navigation dialogs and openUrl;
 * Xrm.Utility progress and getGlobalContext().userSettings; Xrm.WebApi), over the FormController.
 * Members the web resource does not use are left out on purpose, so a script that starts using one
 * fails here first instead of passing against a shim that guesses.
 */
import { closeProgressIndicator, openAlertDialog, openConfirmDialog, openErrorDialog, showProgressIndicator } from "./dialogs";
import { SaveMode, type FormController, type SaveEventArgs } from "./form-controller";
import { entitySetName } from "./metadata";
import { xrmAttributeType, type AttributeValue } from "./record-state";
import { createWebApi } from "./web-api";

export interface UserSession {
  languageId(): number;
  userId: string;
  userName: string;
  roles: { id: string; name: string }[];
}

function itemCollection<T extends { getName(): string }>(items: () => T[]): Xrm.Collection.ItemCollection<T> {
  const collection = {
    get: (key?: number | string | ((item: T, index: number) => boolean)) => {
      const all = items();
      if (key === undefined) return all;
      if (typeof key === "number") return all[key] ?? null;
      if (typeof key === "string") return all.find((item) => item.getName() === key) ?? null;
      return all.filter(key);
    },
    forEach: (callback: (item: T, index: number) => void) => items().forEach(callback),
    getLength: () => items().length,
  };
  return collection as unknown as Xrm.Collection.ItemCollection<T>;
}

function controlFor(controller: FormController, column: string, name: string) {
  const control = {
    getName: () => name,
    getDisabled: () => controller.record.get(column)?.controls.find((c) => c.name === name)?.disabled ?? false,
    setDisabled: (disabled: boolean) => {
      const state = controller.record.get(column)?.controls.find((c) => c.name === name);
      if (state) state.disabled = disabled;
      controller.notify();
    },
    getAttribute: () => attributeFor(controller, column),
  };
  return control;
}

function attributeFor(controller: FormController, column: string) {
  const state = () => {
    const found = controller.record.get(column);
    if (!found) throw new Error(`${column} is not on the form`);
    return found;
  };
  return {
    getName: () => column,
    getValue: () => state().value,
    setValue: (value: AttributeValue) => controller.record.setValue(column, value ?? null),
    getAttributeType: () => xrmAttributeType(state().meta),
    getIsDirty: () => controller.record.isDirty(column),
    getSubmitMode: () => state().submitMode,
    setSubmitMode: (mode: "always" | "never" | "dirty") => { state().submitMode = mode; },
    getRequiredLevel: () => state().requiredLevel,
    setRequiredLevel: (level: Xrm.Attributes.RequirementLevel) => { state().requiredLevel = level; controller.notify(); },
    fireOnChange: () => controller.fireOnChange(column),
    addOnChange: (handler: (context: Xrm.Events.EventContext) => void) => {
      controller.extraOnChange.set(column, [...(controller.extraOnChange.get(column) ?? []), handler]);
    },
    controls: itemCollection(() => state().controls.map((control) => controlFor(controller, column, control.name))),
  };
}

export function createFormContext(controller: FormController): Xrm.FormContext {
  const getAttribute = (name?: string) => (name && controller.record.get(name) ? attributeFor(controller, name) : null);
  const formContext = {
    getAttribute,
    data: {
      entity: {
        getId: () => (controller.record.id ? `{${controller.record.id.toUpperCase()}}` : ""),
        getEntityName: () => controller.options.table.logicalName,
        getIsDirty: () => [...controller.record.attributes.keys()].some((column) => controller.record.isDirty(column)),
        // The deprecated callback-less save: "saveandclose" / "saveandnew" choose the save mode.
        save: (option?: string) => {
          const mode = option === "saveandclose" ? SaveMode.SaveAndClose : option === "saveandnew" ? SaveMode.SaveAndNew : SaveMode.Save;
          void controller.save(mode).catch(() => undefined);
        },
      },
      save: () => controller.save(SaveMode.Save),
      refresh: (save?: boolean) => controller.refresh(save === true),
    },
    ui: {
      getFormType: () => controller.formType,
      refreshRibbon: () => controller.refreshRibbon(),
      setFormNotification: (message: string, level: Xrm.FormNotificationLevel, uniqueId: string) => {
        controller.notifications.set(uniqueId, { message, level });
        controller.notify();
        return true;
      },
      clearFormNotification: (uniqueId: string) => {
        const removed = controller.notifications.delete(uniqueId);
        if (removed) controller.notify();
        return removed;
      },
    },
  };
  return formContext as unknown as Xrm.FormContext;
}

/** The execution context handed to form event handlers (source: the column of an OnChange). */
export function executionContextFor(formContext: Xrm.FormContext, session: UserSession, source: unknown, saveArgs?: SaveEventArgs): Xrm.Events.EventContext {
  const shared = new Map<string, unknown>();
  const context = {
    getFormContext: () => formContext,
    getEventSource: () => (typeof source === "string" ? formContext.getAttribute(source) : formContext),
    getEventArgs: () => saveArgs ?? null,
    getDepth: () => 1,
    getContext: () => globalContext(session),
    getSharedVariable: (key: string) => shared.get(key),
    setSharedVariable: (key: string, value: unknown) => { shared.set(key, value); },
  };
  return context as unknown as Xrm.Events.EventContext;
}

function globalContext(session: UserSession) {
  return {
    getClientUrl: () => location.origin,
    userSettings: {
      get languageId() { return session.languageId(); },
      userId: `{${session.userId.toUpperCase()}}`,
      userName: session.userName,
      roles: itemCollection(() => session.roles.map((role) => ({ ...role, getName: () => role.name }))),
    },
  };
}

/** The global Xrm: Navigation, Utility and WebApi, as the web resource's ClientHost reads them. */
export function installXrm(session: UserSession): void {
  const xrm = {
    Navigation: {
      openAlertDialog,
      openConfirmDialog,
      openErrorDialog,
      openUrl: (url: string) => { window.open(url, "_blank", "noopener"); },
      // A record opens in the page's own form (the Sync health page's links use this).
      openForm: async (options: { entityName: string; entityId?: string }) => {
        const id = options.entityId?.replace(/[{}]/g, "").toLowerCase();
        location.hash = options.entityName === "opportunity" ? `#/opportunity/${id ?? "new"}` : `#/record/${options.entityName}/${id ?? "new"}`;
        return { savedEntityReference: [] };
      },
    },
    Utility: {
      showProgressIndicator,
      closeProgressIndicator,
      getGlobalContext: () => globalContext(session),
    },
    WebApi: createWebApi(entitySetName),
  };
  (window as unknown as { Xrm: unknown }).Xrm = xrm;
}
