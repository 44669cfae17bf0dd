/**
 * Resource keys the bundled code asks context.resources.getString for. Kept apart from
 * ui-strings.ts so that the texts themselves (and entities' labels) are never bundled: they reach
 * the browser through the resx files.
 */
import type { ManifestPropertyName } from "../ManifestConstants";
import type { UiStringKey } from "./ui-strings";

export const helpOptionKey = (value: number) => `HelpOption_${value}` as const;

export type StringKey =
  | UiStringKey
  | ReturnType<typeof helpOptionKey>
  | `${ManifestPropertyName}_Display`
  | `${ManifestPropertyName}_Desc`;

/** Looks a text up and fills "{0}", "{1}" ... with the arguments. */
export type Translate = (key: StringKey, ...args: ReadonlyArray<string | number>) => string;

export function makeTranslate(getString: (key: string) => string): Translate {
  return (key, ...args) => getString(key).replace(/\{(\d+)\}/g, (whole, index: string) => {
    const arg = args[Number(index)];
    return arg === undefined ? whole : String(arg);
  });
}
