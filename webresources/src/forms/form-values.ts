/**
 * Typed reads and writes of opportunity columns on a form. A column that is not on the form reads
 * as null (the shipped form has them all, but an admin may put the section on another form), and a
 * write to a missing column is reported instead of silently doing nothing.
 */
export type FormContext = Xrm.FormContext;

export class MissingColumnError extends Error {
  constructor(readonly column: string) {
    super(`The column ${column} is not on this form; add it (it may be hidden) so the co-sell commands can use it.`);
    this.name = "MissingColumnError";
  }
}

export function readBoolean(form: FormContext, column: string): boolean {
  return form.getAttribute<Xrm.Attributes.BooleanAttribute>(column)?.getValue() === true;
}

export function readNumber(form: FormContext, column: string): number | null {
  const value = form.getAttribute<Xrm.Attributes.NumberAttribute>(column)?.getValue();
  return typeof value === "number" ? value : null;
}

export function readOption(form: FormContext, column: string): number | null {
  const value = form.getAttribute<Xrm.Attributes.OptionSetAttribute>(column)?.getValue();
  return typeof value === "number" ? value : null;
}

export function readText(form: FormContext, column: string): string {
  const value = form.getAttribute<Xrm.Attributes.StringAttribute>(column)?.getValue();
  return typeof value === "string" ? value.trim() : "";
}

export function readDate(form: FormContext, column: string): Date | null {
  const value = form.getAttribute<Xrm.Attributes.DateAttribute>(column)?.getValue();
  return value instanceof Date ? value : null;
}

export function readLookup(form: FormContext, column: string): Xrm.LookupValue | null {
  const value = form.getAttribute<Xrm.Attributes.LookupAttribute>(column)?.getValue();
  return Array.isArray(value) && value.length > 0 ? value[0] : null;
}

/** Sets a column and makes sure it is sent even when its control is read-only on the form. */
export function writeValue(form: FormContext, column: string, value: unknown): void {
  const attribute = form.getAttribute(column);
  if (!attribute) throw new MissingColumnError(column);
  (attribute as Xrm.Attributes.Attribute & { setValue(v: unknown): void }).setValue(value);
  attribute.setSubmitMode("always");
}

export function currentValue(form: FormContext, column: string): unknown {
  return form.getAttribute(column)?.getValue() ?? null;
}

/** Record id without braces, as Xrm.WebApi wants it. */
export function recordId(form: FormContext): string {
  return form.data.entity.getId().replace(/[{}]/g, "");
}
