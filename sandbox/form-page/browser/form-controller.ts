/**
 * The form's behaviour around its record: loading, the OnLoad / OnSave / OnChange handlers from the
 * form XML, saving to the Web API (POST, or PATCH with If-Match), refresh, notifications and the
 * form type. The Xrm objects the scripts see (xrm-shim.ts) are thin views over this.
 */
import type { FormEvent, FormEventHandler, FormModel } from "../page-model";
import { openErrorDialog } from "./dialogs";
import type { TableMetadata } from "./metadata";
import { RecordState, toWebApi, type AttributeValue } from "./record-state";
import { callGlobalFunction, parseHandlerParameters } from "./script-host";
import { dataverseFetch, getJson, idFromEntityUrl, type WebApiError } from "./web-api";
import { entitySetName } from "./metadata";

/** Xrm form types and save modes (XrmEnum's are ambient const enums). */
export const FormType = { Create: 1, Update: 2, ReadOnly: 3, Disabled: 4 } as const;
export const SaveMode = { Save: 1, SaveAndClose: 2, SaveAndNew: 59, AutoSave: 70 } as const;
/** Opportunity statecode Open: a closed (won/lost) record opens read-only. */
const OPEN_STATE = 0;

export interface Notification {
  message: string;
  level: Xrm.FormNotificationLevel;
}

export interface SaveEventArgs {
  getSaveMode(): number;
  preventDefault(): void;
  isDefaultPrevented(): boolean;
}

/** What a save that an OnSave handler prevented rejects with, like the platform's cancelled save. */
export const SAVE_CANCELLED: WebApiError = { errorCode: -2147220891, message: "The save was cancelled by an OnSave event handler.", status: 0 };

export interface FormControllerOptions {
  form: FormModel;
  table: TableMetadata;
  /** Columns on the form: cell controls and columns bound to code components. */
  columns: string[];
  stateColumn: string | null;
  /** Builds the execution context handed to handlers (xrm-shim.ts). */
  executionContext: (controller: FormController, source: unknown, saveArgs?: SaveEventArgs) => Xrm.Events.EventContext;
  /** Called after a create, so the page can show the record's address. */
  onCreated: (id: string) => void;
}

export class FormController {
  readonly record: RecordState;
  readonly notifications = new Map<string, Notification>();
  formType: number = FormType.Create;
  private readonly listeners = new Set<() => void>();

  constructor(readonly options: FormControllerOptions) {
    this.record = new RecordState(options.table, options.columns);
    this.record.onChange(() => this.notify());
  }

  private readonly ribbonListeners = new Set<() => void>();

  /**
   * The platform re-evaluates command bar rules when the form loads or saves, and otherwise only
   * when a script calls formContext.ui.refreshRibbon(); the page does the same, so a script that
   * forgets to ask shows the same stale buttons here as in Dynamics 365.
   */
  onRibbonRefresh(listener: () => void): () => void {
    this.ribbonListeners.add(listener);
    return () => this.ribbonListeners.delete(listener);
  }

  refreshRibbon(): void {
    for (const listener of [...this.ribbonListeners]) listener();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private handlers(name: string, attribute?: string): FormEventHandler[] {
    return this.options.form.events
      .filter((event: FormEvent) => event.name === name && (attribute === undefined || event.attribute === attribute))
      .flatMap((event) => event.handlers.filter((handler) => handler.enabled));
  }

  /** Runs handlers one after another; a failing script is reported as the platform does and the rest still run. */
  private runHandlers(handlers: FormEventHandler[], context: Xrm.Events.EventContext): void {
    for (const handler of handlers) {
      const extra = parseHandlerParameters(handler.parameters);
      try {
        const result = callGlobalFunction(handler.functionName, handler.libraryName, handler.passExecutionContext ? [context, ...extra] : extra);
        if (result && typeof (result as Promise<unknown>).then === "function") {
          (result as Promise<unknown>).then(undefined, (error: unknown) => void this.scriptError(handler, error));
        }
      } catch (error) {
        void this.scriptError(handler, error);
      }
    }
  }

  private async scriptError(handler: FormEventHandler, error: unknown): Promise<void> {
    const detail = error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error);
    await openErrorDialog({ message: `Script error in ${handler.functionName} (${handler.libraryName}): ${detail}`, details: error instanceof Error ? error.stack : undefined });
  }

  private selectList(): string {
    return [...this.record.attributes.values()]
      .map((state) => (["Lookup", "Customer", "Owner"].includes(state.meta.type) ? `_${state.meta.logicalName}_value` : state.meta.logicalName))
      .join(",");
  }

  private updateFormType(): void {
    if (this.record.id === null) this.formType = FormType.Create;
    else {
      const state = this.options.stateColumn ? this.record.get(this.options.stateColumn)?.value : OPEN_STATE;
      this.formType = state === null || state === undefined || state === OPEN_STATE ? FormType.Update : FormType.ReadOnly;
    }
  }

  private async read(id: string): Promise<void> {
    const json = await getJson(`${this.options.table.entitySetName}(${id})?$select=${this.selectList()}`);
    this.record.load(id, json);
    this.updateFormType();
  }

  /** Opens the form: a new record with defaults, or an existing one; then OnLoad and the onchange registrations. */
  async open(id: string | null): Promise<void> {
    if (id) await this.read(id);
    else {
      this.record.loadDefaults();
      this.updateFormType();
    }
    this.runOnLoad();
  }

  runOnLoad(): void {
    this.runHandlers(this.handlers("onload"), this.options.executionContext(this, undefined));
    this.notify();
    this.refreshRibbon();
  }

  /** The record changed on the form (a user typed, or a code component wrote an output): OnChange runs. */
  fireOnChange(column: string): void {
    const source = column;
    this.runHandlers(this.handlers("onchange", column), this.options.executionContext(this, source));
    for (const handler of this.extraOnChange.get(column) ?? []) handler(this.options.executionContext(this, source));
    this.notify();
  }

  readonly extraOnChange = new Map<string, ((context: Xrm.Events.EventContext) => void)[]>();

  setValueFromUser(column: string, value: AttributeValue): void {
    this.record.setValue(column, value);
    this.fireOnChange(column);
  }

  /** formContext.data.save() and the Save button: OnSave handlers first; a prevented save rejects. */
  async save(saveMode: number = SaveMode.Save): Promise<void> {
    let prevented = false;
    const args: SaveEventArgs = {
      getSaveMode: () => saveMode,
      preventDefault: () => { prevented = true; },
      isDefaultPrevented: () => prevented,
    };
    this.runHandlers(this.handlers("onsave"), this.options.executionContext(this, undefined, args));
    if (prevented) throw SAVE_CANCELLED;
    await this.persist();
  }

  private async persist(): Promise<void> {
    const payload: Record<string, unknown> = {};
    for (const state of this.record.columnsToSave()) Object.assign(payload, await toWebApi(state.meta, state.value, entitySetName));
    const entitySet = this.options.table.entitySetName;
    if (this.record.id === null) {
      const response = await dataverseFetch(entitySet, { method: "POST", body: payload });
      const id = idFromEntityUrl(response.headers.get("odata-entityid"));
      await this.read(id);
      this.options.onCreated(id);
      this.runOnLoad();
      return;
    }
    if (Object.keys(payload).length > 0) {
      // If-Match with the version we read: a change made meanwhile (by the sync service) is not overwritten.
      await dataverseFetch(`${entitySet}(${this.record.id})`, { method: "PATCH", body: payload, headers: { "if-match": this.record.etag ?? "*" } });
    }
    await this.read(this.record.id);
    this.runOnLoad();
  }

  /** formContext.data.refresh(save): optionally save first, then re-read the record. */
  async refresh(save = false): Promise<void> {
    if (save) await this.save();
    else if (this.record.id) await this.read(this.record.id);
    this.notify();
    this.refreshRibbon();
  }
}
