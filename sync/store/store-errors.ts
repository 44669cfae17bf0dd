/** Typed store errors; each keeps the driver's error as cause for the log. */

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
  }
}

/** The database was written by a newer version of the service; running old code on it could corrupt it. */
export class SchemaTooNewError extends StoreError {
  constructor(readonly databaseVersion: number, readonly knownVersion: number) {
    super(
      `The sync database is at schema version ${databaseVersion}, this service knows up to ${knownVersion}. ` +
        "Run the newer service version or restore a backup.",
    );
    this.name = "SchemaTooNewError";
  }
}

export class MigrationError extends StoreError {
  constructor(readonly version: number, readonly migrationName: string, cause: unknown) {
    super(`Schema migration ${version} (${migrationName}) failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "MigrationError";
  }
}

/** The opportunity or the referral already belongs to another link: linking it again would duplicate. */
export class LinkConflictError extends StoreError {
  constructor(readonly key: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LinkConflictError";
  }
}

/** Another worker committed this link's base since it was read; the job must re-read and merge again. */
export class StaleBaseError extends StoreError {
  constructor(readonly linkKey: string, readonly expected: number | null, readonly actual: number | null) {
    super(`Base snapshot of ${linkKey} is at version ${String(actual)}, expected ${String(expected)}`);
    this.name = "StaleBaseError";
  }
}
