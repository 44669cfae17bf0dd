/**
 * What the server reads out of the built solution and hands to the browser as one JSON document:
 * the form (tabs, sections, cells, which cell hosts which custom control, form libraries and event
 * handlers), the command bar (buttons, labels, enable rules, actions) and where to fetch the web
 * resources and control bundles. Plain data on purpose: the browser code interprets it the way the
 * Unified Interface interprets the XML, and tests can assert on it without a browser.
 */

/** Text per language code ("1033", "1040"). */
export type Labels = Record<string, string>;

export interface CellControl {
  id: string;
  classId: string;
  dataField: string | null;
  uniqueId: string | null;
  disabled: boolean;
}

/** A manifest property as the form binds it: a column (bound) or a static value. */
export type ControlParameter = { kind: "bound"; column: string; type: string | null } | { kind: "static"; value: string; type: string | null };

/** controlDescriptions/customControl for a cell: the code component that replaces the standard control. */
export interface CustomControlBinding {
  name: string;
  formFactor: string | null;
  parameters: Record<string, ControlParameter>;
}

export interface FormCell {
  id: string;
  labels: Labels;
  showLabel: boolean;
  control: CellControl | null;
  customControl: CustomControlBinding | null;
}

export interface FormSection {
  name: string;
  labels: Labels;
  showLabel: boolean;
  rows: FormCell[][];
}

export interface FormTab {
  name: string;
  labels: Labels;
  sections: FormSection[];
}

export interface FormEventHandler {
  functionName: string;
  libraryName: string;
  passExecutionContext: boolean;
  /** The comma-separated extra parameters as written in the XML (empty when none). */
  parameters: string;
  enabled: boolean;
}

export interface FormEvent {
  /** onload, onsave, onchange ... */
  name: string;
  /** The column of an onchange event. */
  attribute: string | null;
  handlers: FormEventHandler[];
}

export interface FormModel {
  id: string;
  names: Labels;
  tabs: FormTab[];
  libraries: string[];
  events: FormEvent[];
}

/** A CrmParameter (PrimaryControl, SelectedControlSelectedItemIds ...) or a literal parameter. */
export type RibbonParameter = { kind: "crm"; value: string } | { kind: "literal"; value: string | number | boolean };

export interface RibbonFunctionCall {
  functionName: string;
  /** Web resource name without the $webresource: prefix. */
  library: string;
  parameters: RibbonParameter[];
}

export type RibbonRuleCheck =
  | { kind: "custom"; call: RibbonFunctionCall; defaultValue: boolean; invertResult: boolean }
  | { kind: "recordPrivilege"; privilege: string }
  | { kind: "selectionCount"; minimum: number | null; maximum: number | null }
  /** A rule type the page does not evaluate; it counts as its Default (true when absent). */
  | { kind: "unsupported"; element: string };

export interface RibbonButton {
  id: string;
  /** Where the Unified Interface shows it: the form's command bar or the home grid's. */
  surface: "form" | "grid";
  sequence: number;
  labels: Labels;
  tooltips: Labels;
  enableRules: { id: string; checks: RibbonRuleCheck[] }[];
  actions: RibbonFunctionCall[];
}

export interface ControlProperty {
  name: string;
  ofType: string;
  usage: string;
}

export interface ControlModel {
  /** The name the form uses (may carry the publisher prefix). */
  name: string;
  /** namespace.constructor, the name the bundle registers with ComponentFramework.registerControl. */
  registeredName: string;
  controlType: string;
  properties: ControlProperty[];
  bundleUrl: string;
  /** resx strings per language code. */
  strings: Record<string, Record<string, string>>;
  /** Where the files came from, shown on the page for whoever rehearses with it. */
  source: string;
}

/** Where a site map entry leads: a table (its rows), a system view, a web resource page, or a URL the page cannot open. */
export type SiteMapTarget =
  | { kind: "table"; table: string }
  | { kind: "view"; table: string; viewId: string }
  | { kind: "webresource"; name: string }
  | { kind: "unsupported"; url: string };

export interface SiteMapSubArea {
  id: string;
  titles: Labels;
  target: SiteMapTarget | null;
}

/** The model-driven app: its names and site map (areas → groups → subareas). */
export interface AppModel {
  uniqueName: string;
  names: Labels;
  areas: { id: string; titles: Labels; groups: { id: string; titles: Labels; subAreas: SiteMapSubArea[] }[] }[];
}

/** A system view: the columns its grid shows and the Web API query its FetchXML stands for. */
export interface ViewModel {
  id: string;
  table: string;
  names: Labels;
  columns: string[];
  /** OData $filter ("" for none). */
  filter: string;
  /** OData $orderby, or null. */
  orderBy: string | null;
}

export interface PageModel {
  solution: { uniqueName: string; version: string; source: string };
  /** The app the solution ships (null when the zip has none). */
  app: AppModel | null;
  /** System views by id (lower case, braces kept). */
  views: Record<string, ViewModel>;
  /** The main form of each of our own tables (settings, mapping ...), by table logical name. */
  tableForms: Record<string, FormModel>;
  form: FormModel | null;
  /** Why there is no form to show (e.g. the built solution does not contain one yet). */
  formProblem: string | null;
  ribbon: RibbonButton[];
  /** Web resource name → URL on this page's server. */
  webResources: Record<string, string>;
  controls: Record<string, ControlModel>;
  /** Problems finding a control the form uses (shown in place of the control). */
  controlProblems: Record<string, string>;
}

export const API_PATH = "/api/data/v9.2";
/** Where the page server forwards to the Partner Center sandbox. */
export const PARTNER_CENTER_PREFIX = "/partner-center";
export const PAGE_MODEL_PATH = "/page-model.json";
