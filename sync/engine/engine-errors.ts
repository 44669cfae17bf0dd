/**
 * Typed errors of the pure engine. They keep the cause so the service can log the original problem
 * (a zod issue list, a JSON syntax error) next to the plain-language message an admin reads.
 */

/** The admin's mapping override file is malformed or names fields we do not know. */
export class MappingConfigError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "MappingConfigError";
  }
}

/** The mapping names Dataverse columns the org does not have: the service must not start. */
export class MissingColumnsError extends Error {
  constructor(readonly missing: readonly { table: string; column: string; field: string }[]) {
    super(
      `The sync mapping uses columns this Dataverse org does not have: ${missing
        .map((m) => `${m.table}.${m.column} (for ${m.field})`)
        .join(", ")}. Import the PartnerCenterCoSell solution or fix the mapping file.`,
    );
    this.name = "MissingColumnsError";
  }
}

/** A record could not be mapped, e.g. a currency id that is not in the org's currency table. */
export class MappingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MappingError";
  }
}
