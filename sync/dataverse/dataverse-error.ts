/**
 * The one error type the Dataverse client throws: HTTP status, Dataverse's error code and message,
 * whether retrying can help, and the cause (a network error or the OData error body). dataverse-ify
 * throws plain `{code, message}` objects or strings; those are wrapped here so callers never see them.
 */

/** Dataverse error codes the backend branches on. */
export const DataverseErrorCode = {
  ObjectDoesNotExist: "0x80040217",
  ConcurrencyVersionMismatch: "0x80060882",
  DuplicateRecord: "0x80040237",
  UnknownProperty: "0x80060888",
  Throttled: "0x80072322",
} as const;

export class DataverseError extends Error {
  readonly status: number;
  readonly code: string;
  /** True for throttling (429), server errors (5xx) and network failures (status 0). */
  readonly retryable: boolean;
  /** From Retry-After, when the server said how long to wait. */
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    details: { status: number; code?: string; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: details.cause });
    this.name = "DataverseError";
    this.status = details.status;
    this.code = details.code ?? "";
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = details.status === 0 || details.status === 429 || details.status >= 500;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  /** The row changed since it was read (stale If-Match) or already exists (If-None-Match: *). */
  get isPreconditionFailed(): boolean {
    return this.status === 412;
  }

  /** A column the org does not have, typically because the solution is not imported. */
  get isUnknownProperty(): boolean {
    return this.code === DataverseErrorCode.UnknownProperty;
  }
}

/** Turns whatever dataverse-ify threw into a DataverseError (keeping ours as they are). */
export function toDataverseError(error: unknown, context: string): DataverseError {
  if (error instanceof DataverseError) return error;
  if (typeof error === "object" && error !== null && "code" in error && "message" in error) {
    const body = error as { code: unknown; message: unknown };
    return new DataverseError(`${context}: ${String(body.message)}`, { status: 400, code: String(body.code), cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DataverseError(`${context}: ${message}`, { status: 0, cause: error });
}
