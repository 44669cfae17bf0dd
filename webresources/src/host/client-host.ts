/**
 * The seam between our logic and the page. Every command, rule and handler receives a ClientHost
 * instead of reaching for the global Xrm, so tests run the same code against xrm-mock (and the
 * sandbox form page against its own Xrm shim) without patching globals.
 */

/** The parts of the Xrm object model the connector uses. */
export type XrmApi = Pick<Xrm.XrmStatic, "Navigation" | "Utility" | "WebApi">;

export interface ClientHost {
  readonly xrm: XrmApi;
  /** Waits between refreshes while "Sync now" watches the status. */
  sleep(ms: number): Promise<void>;
  now(): Date;
  /**
   * Asks the user for a line of text; null when they cancel. Xrm has no input dialog, so the
   * browser host uses window.prompt (works in the Unified Interface web client).
   */
  promptForText(message: string): Promise<string | null>;
}

/** The host used in the browser: resolves the page's Xrm at call time, not at bundle load. */
export function browserHost(): ClientHost {
  const xrm = (globalThis as { Xrm?: XrmApi }).Xrm;
  if (!xrm) throw new Error("Xrm is not available: the co-sell script must run inside a Dynamics 365 page");
  return {
    xrm,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => new Date(),
    promptForText: async (message) => {
      const prompt = (globalThis as { prompt?: (text: string) => string | null }).prompt;
      return prompt ? prompt(message) : null;
    },
  };
}
