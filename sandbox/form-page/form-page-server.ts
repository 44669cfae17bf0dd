/**
 * The sandbox form page: an Opportunity form rendered from the form XML in the built solution zip,
 * hosting the built PCF bundle and running the built web resource, against the Dataverse sandbox;
 * and a Partner Center page over the Partner Center sandbox. `startFormPage` is what `npm start`
 * and the browser tests call in-process; main.ts wraps it for the command line.
 */
import { readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import { bundleBrowserCode } from "./browser-bundle";
import { API_PATH, PAGE_MODEL_PATH, PARTNER_CENTER_PREFIX } from "./page-model";
import { pageHtml } from "./page-html";
import { PLATFORM_ALIASES, platformScripts } from "./platform-libraries";
import { registerReverseProxy } from "./reverse-proxy";
import { readSolution } from "./solution-reader";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Path of the page's referral links: `${url}partner-center/referrals/<id>` opens the Partner Center page on that referral. */
export const REFERRAL_LINK_PATH = "/partner-center/referrals";

export interface FormPageOptions {
  /** Org URL of the Dataverse sandbox (its Web API is at dataverseUrl + /api/data/v9.2). */
  dataverseUrl: string;
  /** Base URL of the Partner Center sandbox. */
  partnerCenterUrl: string;
  /** The solution zip to show (path or bytes); default dist/PartnerCenterCoSell_<package version>.zip. */
  solutionZip?: string | Buffer;
  /** Where built code components are looked up when the zip does not carry them; default pcf/out/controls. */
  pcfOutDir?: string;
  /** 0 (default) lets the OS choose. */
  port?: number;
  host?: string;
  logger?: boolean;
}

export interface FormPage {
  /** e.g. http://127.0.0.1:41234/ */
  url: string;
  close(): Promise<void>;
}

/** The packer names the zip after the version with dots as underscores (PartnerCenterCoSell_1_0_0.zip). */
export async function defaultSolutionZip(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };
  return join(root, "dist", `PartnerCenterCoSell_${pkg.version.replace(/\./g, "_")}.zip`);
}

async function loadZip(source: string | Buffer | undefined): Promise<{ zip: Buffer; name: string }> {
  if (Buffer.isBuffer(source)) return { zip: source, name: "solution zip (in memory)" };
  const file = source ?? (await defaultSolutionZip());
  try {
    return { zip: await readFile(file), name: basename(file) };
  } catch (error) {
    throw new Error(`The form page needs the built solution zip ${file}: run npm run build (webresources, pcf, solution).`, { cause: error });
  }
}

export async function startFormPage(options: FormPageOptions): Promise<FormPage> {
  const { zip, name } = await loadZip(options.solutionZip);
  const solution = await readSolution({ zip, zipSource: name, pcfOutDir: options.pcfOutDir ?? join(root, "pcf", "out", "controls") });
  const appScript = await bundleBrowserCode();
  const scripts = platformScripts();

  const app = Fastify({ logger: options.logger ?? false });
  const html = pageHtml({ platformScripts: scripts.map((script) => script.url), platformAliases: PLATFORM_ALIASES, appScript: "/app.js" });
  app.get("/", async (_request, reply) => reply.type("text/html; charset=utf-8").send(html));
  app.get("/app.js", async (_request, reply) => reply.type("application/javascript; charset=utf-8").send(appScript));
  app.get(PAGE_MODEL_PATH, async () => solution.model);
  // "Open in Partner Center" in `npm start`: the backend writes `${REFERRAL_LINK_PATH}/<id>` as the
  // referral link (as it writes Partner Center's own details page for a real org); show that referral.
  app.get<{ Params: { id: string } }>(`${REFERRAL_LINK_PATH}/:id`, async (request, reply) =>
    reply.redirect(`/#/partner-center/${encodeURIComponent(request.params.id)}`));
  for (const script of scripts) {
    const content = await readFile(script.file);
    app.get(script.url, async (_request, reply) => reply.type("application/javascript; charset=utf-8").header("cache-control", "max-age=3600").send(content));
  }
  for (const [url, file] of solution.files) {
    app.get(url, async (_request, reply) => reply.type(file.contentType).send(file.content));
  }
  await registerReverseProxy(app, { prefix: API_PATH, target: options.dataverseUrl, strip: "" });
  await registerReverseProxy(app, { prefix: PARTNER_CENTER_PREFIX, target: options.partnerCenterUrl, strip: PARTNER_CENTER_PREFIX });

  const host = options.host ?? "127.0.0.1";
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("The form page did not get a TCP address");
  return { url: `http://${host}:${address.port}/`, close: () => app.close() };
}
