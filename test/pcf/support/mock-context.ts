/**
 * A PCF context for the co-sell section, shaped like the real one: each manifest property with
 * raw value, type, optional field-security values and metadata, plus mode, user settings and
 * resources. getString reads the resx files the build generates, and throws on a missing key so a
 * text the control asks for but the resx lacks fails the test.
 */
import { XMLParser } from "fast-xml-parser";
import type { LanguageCode } from "../../../entities";
import { HOW_CAN_MICROSOFT_HELP_OPTIONS } from "../../../entities";
import type { CoSellInputs } from "../../../pcf/CoSellSection/CoSellSection.inputs";
import { BOUND_PROPERTIES, MANIFEST_PROPERTY_NAMES, type ManifestPropertyName } from "../../../pcf/CoSellSection/ManifestConstants";
import type { SectionContext } from "../../../pcf/CoSellSection/mapping/context-to-props";
import { renderResx } from "../../../pcf/scripts/generate-manifest";

export type Values = { [K in ManifestPropertyName]?: CoSellInputs[K]["raw"] };
export type Security = Partial<Record<ManifestPropertyName, { editable: boolean; readable: boolean }>>;

export interface MockOptions {
  values?: Values;
  security?: Security;
  disabled?: boolean;
  languageId?: LanguageCode;
  /** Option labels as a model-driven app passes them (pcf-start passes none). */
  hostOptions?: boolean;
  maxLengths?: Partial<Record<"products" | "statusReason", number>>;
}

const resxCache = new Map<LanguageCode, Map<string, string>>();

export function resx(languageId: LanguageCode): Map<string, string> {
  let strings = resxCache.get(languageId);
  if (!strings) {
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", isArray: (name) => name === "data" })
      .parse(renderResx(languageId)) as { root: { data: Array<{ "@_name": string; value: string }> } };
    strings = new Map(parsed.root.data.map((d) => [d["@_name"], String(d.value)]));
    resxCache.set(languageId, strings);
  }
  return strings;
}

function property(name: ManifestPropertyName, options: MockOptions): unknown {
  const ofType = BOUND_PROPERTIES[name];
  const fallback = ofType === "TwoOptions" ? false : null;
  const raw = name in (options.values ?? {}) ? options.values?.[name] : fallback;
  const security = options.security?.[name];
  const attributes: Record<string, unknown> = {};
  if (name === "howCanMicrosoftHelp" && options.hostOptions) {
    attributes.Options = HOW_CAN_MICROSOFT_HELP_OPTIONS.map((o) => ({ Value: o.value, Label: `host: ${o.label[1033]}`, Color: "" }));
  }
  if ((name === "products" || name === "statusReason") && options.maxLengths?.[name]) attributes.MaxLength = options.maxLengths[name];
  return {
    raw,
    formatted: raw === null ? "" : String(raw),
    type: ofType,
    error: false,
    errorMessage: "",
    security: security ? { ...security, secured: true } : undefined,
    attributes,
  };
}

export function mockContext(options: MockOptions = {}): SectionContext {
  const languageId = options.languageId ?? 1033;
  const parameters = Object.fromEntries(MANIFEST_PROPERTY_NAMES.map((name) => [name, property(name, options)])) as CoSellInputs;
  return {
    parameters,
    mode: { isControlDisabled: options.disabled ?? false },
    userSettings: { languageId },
    resources: {
      getString(id: string): string {
        const text = resx(languageId).get(id);
        if (text === undefined) throw new Error(`resx ${languageId} has no string "${id}"`);
        return text;
      },
    },
  };
}
