/**
 * How a part of the product plugs into the solution packer.
 *
 * The packer always emits the columns, option sets, views and security role from entities/. Other
 * parts (the PCF control, the web resource, the shipped form, the command bar) each live in their
 * own module under solution/parts/ and are listed in solution/parts/index.ts. A part returns
 * what it adds; the packer places each piece where pac's layout and the zip format want it, adds
 * the root components, and validates the result. Parts return XML *fragments* as strings (built
 * with xmlbuilder2 from entities/ constants, never hand-copied) so that each part owns its own
 * schema knowledge.
 */

/** Solution component types used in RootComponent entries (Dataverse componenttype values). */
export const ComponentType = {
  Entity: 1,
  Attribute: 2,
  OptionSet: 9,
  Role: 20,
  SavedQuery: 26,
  SystemForm: 60,
  WebResource: 61,
  CustomControl: 66,
  SiteMap: 62,
  AppModule: 80,
} as const;

export interface RootComponent {
  type: number;
  /** For entities, web resources and custom controls: their schema/unique name. */
  schemaName?: string;
  /** For forms, views and roles: their GUID in braces. */
  id?: string;
  /** 0 include subcomponents, 1 do not, 2 shell only. */
  behavior: 0 | 1 | 2;
}

/** A file placed in the zip and in the unpacked folder (path relative to the zip root, forward slashes). */
export interface SolutionFile {
  path: string;
  content: Buffer | string;
}

export interface WebResourceEntry {
  /** GUID in braces, stable across builds. */
  id: string;
  /** Unique name, e.g. pcc_/js/cosell.js */
  name: string;
  displayName: string;
  description?: string;
  /** 1 html, 2 css, 3 js, 4 xml, 5 png, 11 svg */
  webResourceType: number;
  content: Buffer | string;
}

export interface CustomControlEntry {
  /** Full control name as used on forms, e.g. pcc_PartnerCenterCoSell.CoSellSection */
  name: string;
  /** Compiled ControlManifest.xml and the files it references (bundle.js, strings/*.resx ...), by path relative to the control folder. */
  files: Record<string, Buffer | string>;
}

export interface FormEntry {
  /** GUID in braces, stable across builds. */
  id: string;
  /** "main" | "quick" | "card" */
  type: "main";
  names: Record<number, string>;
  descriptions?: Record<number, string>;
  /** The <form> element as XML (FormXml.xsd), without the surrounding <systemform>. */
  formXml: string;
}

export interface SolutionPart {
  /** Human name for error messages ("PCF control", "web resource" ...). */
  name: string;
  /** Web resources to register (root WebResources + files + root components). */
  webResources?: WebResourceEntry[];
  /** PCF controls (root CustomControls + Controls/<name>/ files + root components). */
  customControls?: CustomControlEntry[];
  /** Extra forms on opportunity (Entity/FormXml + root components). */
  opportunityForms?: FormEntry[];
  /** The opportunity <RibbonDiffXml> element as XML (RibbonCore.xsd), replacing the empty default. */
  opportunityRibbonDiffXml?: string;
}

/** Parts are produced lazily: a part may need build output (bundle.js, cosell.js) that must exist first. */
export type SolutionPartFactory = () => Promise<SolutionPart | null>;
