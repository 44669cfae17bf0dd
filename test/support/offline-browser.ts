/**
 * Debian's Chromium, headless, for the browser tests. The machine has no internet: every request
 * that does not go to a loopback server is aborted (fonts from Office CDNs fail harmlessly), and
 * Chromium's own background traffic is switched off, or its refused connections slow it down.
 */
import { mkdir } from "node:fs/promises";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export interface OfflinePage {
  browser: Browser;
  page: Page;
  /** Uncaught errors in the page, for tests to assert there were none. */
  pageErrors: string[];
}

export async function openOfflinePage(options: { height: number; screenshotDir?: string }): Promise<OfflinePage> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const page = await browser.newPage({ viewport: { width: 1200, height: options.height } });
  await page.route("**/*", (route) => {
    const host = new URL(route.request().url()).hostname;
    return host === "127.0.0.1" || host === "localhost" ? route.continue() : route.abort();
  });
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.setDefaultTimeout(10_000);
  if (options.screenshotDir) await mkdir(options.screenshotDir, { recursive: true });
  return { browser, page, pageErrors };
}

/** Waits until the sandbox form page says it has rendered the record or list it was opened on. */
export async function formPageReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset["ready"] === "true");
}

/** A fresh load of one form-page address (a hash change alone would not reload the record). */
export async function openFormPage(page: Page, baseUrl: string, hash: string): Promise<void> {
  await page.goto("about:blank");
  await page.goto(`${baseUrl}${hash}`);
  await formPageReady(page);
}
