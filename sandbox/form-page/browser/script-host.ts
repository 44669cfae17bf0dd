/**
 * Loads web resources and code-component bundles as classic scripts (as the platform does) and calls
 * the functions the XML names ("PartnerCenterCoSell.Form.onLoad") on the page's global object.
 */
const loaded = new Map<string, Promise<void>>();

export function loadScript(url: string): Promise<void> {
  let promise = loaded.get(url);
  if (!promise) {
    promise = new Promise<void>((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error(`Could not load ${url}`));
      document.head.append(script);
    });
    loaded.set(url, promise);
  }
  return promise;
}

export class MissingFunctionError extends Error {
  constructor(readonly functionName: string, readonly library: string) {
    super(`The function ${functionName} is not defined by ${library || "any loaded library"}.`);
    this.name = "MissingFunctionError";
  }
}

/** Resolves a dotted name on window and calls it with `this` bound to its namespace, as the platform does. */
export function callGlobalFunction(functionName: string, library: string, args: unknown[]): unknown {
  const parts = functionName.split(".");
  let owner: unknown = undefined;
  let current: unknown = window;
  for (const part of parts) {
    owner = current;
    current = current === null || current === undefined ? undefined : (current as Record<string, unknown>)[part];
  }
  if (typeof current !== "function") throw new MissingFunctionError(functionName, library);
  return (current as (...a: unknown[]) => unknown).apply(owner, args);
}

/** A handler's "parameters" attribute: comma-separated literals ('text', 12, true). */
export function parseHandlerParameters(text: string): unknown[] {
  if (!text.trim()) return [];
  return text.split(",").map((part) => {
    const value = part.trim();
    if (/^(['"]).*\1$/.test(value)) return value.slice(1, -1);
    if (value === "true" || value === "false") return value === "true";
    const number = Number(value);
    return Number.isNaN(number) ? value : number;
  });
}
