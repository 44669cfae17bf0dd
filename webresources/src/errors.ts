/**
 * Typed errors for the browser code. Xrm rejects its promises with plain objects
 * ({ errorCode, message }) rather than Error instances, so describeError turns whatever was thrown
 * into the sentence we show, and the typed errors keep the original as their cause.
 */

export class SaveFailedError extends Error {
  constructor(cause: unknown) {
    super(describeError(cause), { cause });
    this.name = "SaveFailedError";
  }
}

export class AccountLookupError extends Error {
  constructor(accountId: string, cause: unknown) {
    super(`account ${accountId}: ${describeError(cause)}`, { cause });
    this.name = "AccountLookupError";
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) {
    const message = (error as { message: unknown }).message;
    if (typeof message === "string" && message.trim()) return message;
  }
  if (typeof error === "string" && error.trim()) return error;
  return "unknown error";
}
