/**
 * Hosts a built code component the way the Unified Interface does for a virtual (React) control:
 * the bundle registers its class with ComponentFramework.registerControl; the host calls init once,
 * then updateView with a fresh context whenever the record, the language or the control's state
 * changes, and renders the React element it returns with the platform React. When the control calls
 * notifyOutputChanged, the host takes getOutputs() and writes each output into the form's record
 * through the column the form binds to that property, which fires that column's OnChange.
 */
import type { ControlModel, CustomControlBinding } from "../page-model";
import type { FormController } from "./form-controller";
import { FormType } from "./form-controller";
import { labelIn } from "./metadata";
import type { AttributeValue } from "./record-state";
import { loadScript } from "./script-host";

interface ControlInstance {
  init(context: unknown, notifyOutputChanged: () => void, state?: unknown, container?: HTMLElement): void;
  updateView(context: unknown): unknown;
  getOutputs?(): Record<string, unknown>;
  destroy(): void;
}
type ControlClass = new () => ControlInstance;

interface PlatformGlobals {
  ReactDOM: { render(element: unknown, container: Element): void; unmountComponentAtNode(container: Element): boolean };
  ComponentFramework?: { registerControl(name: string, control: ControlClass): void };
}

const registry = new Map<string, ControlClass>();

/** Installed before any bundle loads, so the bundle registers instead of falling back to a global. */
function installRegistry(): void {
  const globals = window as unknown as PlatformGlobals;
  globals.ComponentFramework ??= { registerControl: (name, control) => { registry.set(name, control); } };
}

/** Field security as the page simulates it: absent = column not secured. */
export type FieldSecurity = "none" | "readOnly" | "masked";

export interface PcfHostOptions {
  model: ControlModel;
  binding: CustomControlBinding;
  controller: FormController;
  /** The form control this cell is (its disabled state is mode.isControlDisabled). */
  column: string | null;
  controlName: string;
  languageId: () => number;
  fieldSecurity: (column: string) => FieldSecurity;
  userId: string;
  userName: string;
}

const REQUIRED_LEVEL: Record<string, number> = { none: 0, required: 2, recommended: 3 };

export class PcfHost {
  readonly container = document.createElement("div");
  private instance: ControlInstance | null = null;
  private previous = new Map<string, unknown>();

  constructor(private readonly options: PcfHostOptions) {
    this.container.className = "pcf-container";
    this.container.dataset["control"] = options.model.registeredName;
  }

  async mount(): Promise<void> {
    installRegistry();
    await loadScript(this.options.model.bundleUrl);
    const ControlType = registry.get(this.options.model.registeredName);
    if (!ControlType) throw new Error(`${this.options.model.bundleUrl} did not register ${this.options.model.registeredName}`);
    this.instance = new ControlType();
    // A virtual control gets no container: it returns elements from updateView instead.
    const container = this.options.model.controlType === "virtual" ? undefined : this.container;
    this.instance.init(this.context(), () => this.outputChanged(), undefined, container);
    this.render();
  }

  private isDisabled(): boolean {
    const { controller, column, controlName } = this.options;
    if (controller.formType === FormType.ReadOnly || controller.formType === FormType.Disabled) return true;
    return column !== null && (controller.record.get(column)?.controls.find((c) => c.name === controlName)?.disabled ?? false);
  }

  private parameter(propertyName: string, ofType: string) {
    const binding = this.options.binding.parameters[propertyName];
    if (!binding) return { raw: null, formatted: undefined, type: ofType, error: false, errorMessage: "" };
    if (binding.kind === "static") return { raw: binding.value, formatted: binding.value, type: ofType, error: false, errorMessage: "" };
    const { controller, languageId, fieldSecurity } = this.options;
    const state = controller.record.get(binding.column);
    const language = languageId();
    const security = fieldSecurity(binding.column);
    const raw = state?.value ?? null;
    return {
      raw: ofType === "TwoOptions" ? raw === true : raw,
      formatted: controller.record.formatted(binding.column, language) ?? undefined,
      type: ofType,
      error: state === undefined,
      errorMessage: state === undefined ? `${binding.column} is not a column of this table` : "",
      attributes: state
        ? {
            LogicalName: state.meta.logicalName,
            DisplayName: labelIn(state.meta.displayNames, language, state.meta.logicalName),
            MaxLength: state.meta.maxLength ?? undefined,
            RequiredLevel: REQUIRED_LEVEL[state.requiredLevel] ?? 0,
            Type: state.meta.type.toLowerCase(),
            Options: state.meta.options?.map((option) => ({ Value: option.value, Label: labelIn(option.labels, language), Color: "" })),
          }
        : undefined,
      // Only secured columns carry security, as on the platform.
      security: security === "none" ? undefined : { secured: true, readable: security !== "masked", editable: false },
    };
  }

  private context() {
    const { model, languageId, userId, userName } = this.options;
    const parameters: Record<string, unknown> = {};
    for (const property of model.properties) parameters[property.name] = this.parameter(property.name, property.ofType);
    const updatedProperties: string[] = [];
    for (const [name, value] of Object.entries(parameters)) {
      const raw = (value as { raw: unknown }).raw;
      const key = raw instanceof Date ? raw.getTime() : raw;
      if (this.previous.get(name) !== key) updatedProperties.push(name);
      this.previous.set(name, key);
    }
    const language = languageId();
    return {
      parameters,
      updatedProperties,
      mode: {
        isControlDisabled: this.isDisabled(),
        isVisible: true,
        label: model.name,
        allocatedWidth: this.container.clientWidth || -1,
        allocatedHeight: -1,
        setControlState: () => true,
        setFullScreen: () => undefined,
        trackContainerResize: () => undefined,
      },
      userSettings: { languageId: language, userId, userName, isRTL: false },
      resources: {
        getString: (id: string) => model.strings[String(language)]?.[id] ?? model.strings["1033"]?.[id] ?? id,
        getResource: (_id: string, _success: unknown, failure: () => void) => failure(),
      },
      client: { getClient: () => "Web", getFormFactor: () => 1, isOffline: () => false, disableScroll: false },
      factory: { requestRender: () => this.render() },
    };
  }

  render(): void {
    if (!this.instance) return;
    const element = this.instance.updateView(this.context());
    if (this.options.model.controlType === "virtual") (window as unknown as PlatformGlobals).ReactDOM.render(element, this.container);
  }

  private outputChanged(): void {
    const outputs = this.instance?.getOutputs?.() ?? {};
    const { controller, binding } = this.options;
    const changed: string[] = [];
    for (const [property, value] of Object.entries(outputs)) {
      const parameter = binding.parameters[property];
      if (parameter?.kind !== "bound" || !controller.record.get(parameter.column)) continue;
      // undefined is how a control clears a bound value.
      controller.record.setValue(parameter.column, (value ?? null) as AttributeValue);
      changed.push(parameter.column);
    }
    for (const column of changed) controller.fireOnChange(column);
  }

  destroy(): void {
    (window as unknown as PlatformGlobals).ReactDOM.unmountComponentAtNode(this.container);
    this.instance?.destroy();
    this.instance = null;
  }
}
