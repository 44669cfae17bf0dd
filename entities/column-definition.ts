/**
 * The shape of one custom Dataverse column as this project defines it. Every consumer (solution
 * packer, PCF manifest, web resources, sync backend, sandbox) reads these definitions instead of
 * spelling logical names, so the solution zip and the code can never disagree about a column.
 */

/** Dataverse language codes we ship labels for: English (1033) and Italian (1040). */
export const LANGUAGES = [1033, 1040] as const;
export type LanguageCode = (typeof LANGUAGES)[number];

/** A label in every shipped language. */
export type Localized = Record<LanguageCode, string>;

export type RequiredLevel = "none" | "recommended" | "required";

export interface OptionDefinition {
  /** Option value, must start with the publisher's option value prefix (58120). */
  readonly value: number;
  /** Stable code used in TypeScript (e.g. "Synced"). */
  readonly code: string;
  readonly label: Localized;
}

interface ColumnBase {
  /** Lower-case logical name, publisher prefix included (pcc_...). */
  readonly logicalName: string;
  /** Schema name as Dataverse shows it (pcc_PascalCase); lower-cased it must equal logicalName. */
  readonly schemaName: string;
  readonly displayName: Localized;
  readonly description: Localized;
  readonly requiredLevel: RequiredLevel;
  /** The column is shown locked on forms: only the sync backend writes it. */
  readonly readOnlyOnForms: boolean;
}

export interface BooleanColumn extends ColumnBase {
  readonly type: "boolean";
  readonly defaultValue: boolean;
  readonly trueLabel: Localized;
  readonly falseLabel: Localized;
}

export interface TextColumn extends ColumnBase {
  readonly type: "text";
  readonly format: "text" | "url" | "email";
  readonly maxLength: number;
}

export interface MemoColumn extends ColumnBase {
  readonly type: "memo";
  readonly maxLength: number;
}

export interface ChoiceColumn extends ColumnBase {
  readonly type: "choice";
  readonly options: readonly OptionDefinition[];
  /** Default option value, or null for "no value". */
  readonly defaultValue: number | null;
}

export interface DateTimeColumn extends ColumnBase {
  readonly type: "datetime";
  /** Dataverse DateTimeBehavior; "UserLocal" stores UTC and shows local time. */
  readonly behavior: "UserLocal" | "TimeZoneIndependent";
}

/** A whole number (Dataverse Integer). Not part of ColumnDefinition: no opportunity column is one. */
export interface WholeNumberColumn extends ColumnBase {
  readonly type: "wholenumber";
  readonly minValue: number;
  readonly maxValue: number;
}

export type ColumnDefinition = BooleanColumn | TextColumn | MemoColumn | ChoiceColumn | DateTimeColumn;
export type ColumnType = ColumnDefinition["type"];
export const COLUMN_TYPES: readonly ColumnType[] = ["boolean", "text", "memo", "choice", "datetime"];

/** A column of one of our own tables (the settings table), which may also be a whole number. */
export type TableColumnDefinition = ColumnDefinition | WholeNumberColumn;
