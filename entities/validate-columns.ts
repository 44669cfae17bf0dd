/**
 * Checks a list of column definitions before anything is generated from it. The packer refuses to
 * build a solution from definitions that Dataverse would reject or that would make the form lie,
 * and every message names the column so the fix is obvious.
 */
import { COLUMN_TYPES, LANGUAGES, type TableColumnDefinition } from "./column-definition";
import { OPTION_VALUE_RANGE, PUBLISHER } from "./publisher";

export class ColumnDefinitionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid column definitions:\n- ${problems.join("\n- ")}`);
    this.name = "ColumnDefinitionError";
  }
}

const LOGICAL_NAME = new RegExp(`^${PUBLISHER.customizationPrefix}_[a-z0-9_]{1,40}$`);

/** Dataverse's own limits for a text column (nvarchar) and a multiple-lines column (ntext). */
const TEXT_MAX_LENGTH = 4000;
const MEMO_MAX_LENGTH = 1048576;

export function validateColumns(columns: readonly TableColumnDefinition[]): void {
  const problems: string[] = [];
  const seenNames = new Set<string>();
  for (const column of columns) {
    const name = String(column.logicalName);
    const problem = (text: string) => problems.push(`${name}: ${text}`);
    if (!LOGICAL_NAME.test(name)) {
      problem(`logical name must be lower case and start with "${PUBLISHER.customizationPrefix}_"`);
    }
    if (seenNames.has(name)) problem("defined twice");
    seenNames.add(name);
    if (column.schemaName.toLowerCase() !== name) {
      problem(`schema name ${column.schemaName} does not match the logical name`);
    }
    for (const lang of LANGUAGES) {
      if (!column.displayName[lang]?.trim()) problem(`display name missing for language ${lang}`);
      if (!column.description[lang]?.trim()) problem(`description missing for language ${lang}`);
    }
    if (column.type !== "wholenumber" && !COLUMN_TYPES.includes(column.type)) {
      problem(`unknown column type "${String(column.type)}" (use one of ${COLUMN_TYPES.join(", ")})`);
      continue;
    }
    switch (column.type) {
      case "text":
        if (!Number.isInteger(column.maxLength) || column.maxLength < 1 || column.maxLength > TEXT_MAX_LENGTH) {
          problem(`text length ${column.maxLength} is outside 1..${TEXT_MAX_LENGTH}`);
        }
        if (!["text", "url", "email"].includes(column.format)) problem(`unknown text format "${column.format}"`);
        break;
      case "memo":
        if (!Number.isInteger(column.maxLength) || column.maxLength < 1 || column.maxLength > MEMO_MAX_LENGTH) {
          problem(`multiple-lines length ${column.maxLength} is outside 1..${MEMO_MAX_LENGTH}`);
        }
        break;
      case "choice": {
        if (column.options.length === 0) problem("a choice column needs at least one option");
        const values = new Set<number>();
        for (const option of column.options) {
          if (values.has(option.value)) problem(`option value ${option.value} is used twice`);
          values.add(option.value);
          if (!Number.isInteger(option.value) || option.value < OPTION_VALUE_RANGE.min || option.value > OPTION_VALUE_RANGE.max) {
            problem(`option value ${option.value} is outside the publisher range ${OPTION_VALUE_RANGE.min}..${OPTION_VALUE_RANGE.max}`);
          }
          for (const lang of LANGUAGES) {
            if (!option.label[lang]?.trim()) problem(`option ${option.value} has no label for language ${lang}`);
          }
        }
        if (column.defaultValue !== null && !values.has(column.defaultValue)) {
          problem(`default value ${column.defaultValue} is not one of its options`);
        }
        break;
      }
      case "wholenumber":
        if (!Number.isInteger(column.minValue) || !Number.isInteger(column.maxValue) || column.minValue > column.maxValue) {
          problem(`whole number range ${column.minValue}..${column.maxValue} is not a range of integers`);
        }
        break;
      case "boolean":
      case "datetime":
        break;
    }
  }
  if (problems.length > 0) throw new ColumnDefinitionError(problems);
}
