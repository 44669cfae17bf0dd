/**
 * The page's entry point: reads the page model (what the server found in the solution zip), installs
 * the global Xrm the web resource expects, shows the Co-sell app's navigation (its site map), and
 * routes between the opportunity list (#/), an opportunity form (#/opportunity/<id> or
 * #/opportunity/new), the app's pages (#/view/<view id>, #/table/<table>, #/record/<table>/<id|new>,
 * #/webresource/<name>) and the Partner Center page (#/partner-center, or #/partner-center/<referral
 * id> to show one referral, where "Open in Partner Center" leads).
 */
import { PAGE_MODEL_PATH, type PageModel } from "../page-model";
import { openErrorDialog } from "./dialogs";
import { clear, h } from "./dom";
import { forgetLookupChoices } from "./field-input";
import { recordHash, showTable, showView, showWebResource, siteMapNav } from "./app-pages";
import { showOpportunityForm, showRecordForm } from "./form-view";
import { showOpportunityList } from "./opportunity-list";
import { showPartnerCenterPage } from "./partner-center-page";
import { LANGUAGES, session } from "./session";
import { installXrm } from "./xrm-shim";

let dispose: () => void = () => undefined;
let model: PageModel;
const content = h("main", { id: "content" });
const navigation = h("div", { className: "navigation" });

function navigate(hash: string, replace = false): void {
  if (replace) history.replaceState(null, "", hash);
  else location.hash = hash;
}

async function route(): Promise<void> {
  dispose();
  dispose = () => undefined;
  clear(content);
  // The app's navigation, from the site map (its current entry follows the address).
  navigation.replaceChildren(siteMapNav(model.app));
  document.body.dataset["ready"] = "false";
  const hash = location.hash || "#/";
  try {
    const form = /^#\/opportunity\/(new|[0-9a-f-]{36})$/i.exec(hash);
    if (form?.[1]) {
      forgetLookupChoices();
      dispose = await showOpportunityForm(content, model, form[1] === "new" ? null : form[1].toLowerCase(), {
        // The record now exists: its address changes, the form stays (as after a first save in Dynamics 365).
        onCreated: (id) => navigate(`#/opportunity/${id}`, true),
        onNew: () => navigate("#/opportunity/new"),
        onBack: () => navigate("#/"),
      });
    } else if (/^#\/record\//.test(hash)) {
      const [, table = "", id = ""] = /^#\/record\/([a-z0-9_]+)\/(new|[0-9a-f-]{36})$/i.exec(hash) ?? [];
      const form = model.tableForms[table];
      if (!form) throw new Error(`The solution has no main form for ${table || hash}.`);
      forgetLookupChoices();
      dispose = await showRecordForm(content, model, { table, form, newTitle: { "1033": "New", "1040": "Nuovo" } }, id === "new" ? null : id.toLowerCase(), {
        onCreated: (newId) => navigate(recordHash(table, newId), true),
        onNew: () => navigate(`#/record/${table}/new`),
        onBack: () => navigate(`#/table/${table}`),
      });
    } else if (/^#\/view\//.test(hash)) {
      await showView(content, model, decodeURIComponent(hash.slice("#/view/".length)));
    } else if (/^#\/table\//.test(hash)) {
      await showTable(content, hash.slice("#/table/".length));
    } else if (/^#\/webresource\//.test(hash)) {
      await showWebResource(content, model, hash.slice("#/webresource/".length));
    } else if (/^#\/partner-center(\/|$)/.test(hash)) {
      const referralId = hash.slice("#/partner-center/".length);
      await showPartnerCenterPage(content, referralId ? decodeURIComponent(referralId) : undefined);
    } else {
      await showOpportunityList(content, model, { onOpen: (id) => navigate(`#/opportunity/${id}`), onNew: () => navigate("#/opportunity/new") });
    }
  } catch (error) {
    const message = (error as { message?: string }).message ?? String(error);
    content.append(h("div", { className: "problem", role: "alert" }, message));
    void openErrorDialog({ message, details: error instanceof Error ? error.stack : undefined });
  }
  document.body.dataset["ready"] = "true";
}

function header(): HTMLElement {
  const language = h("select", { "aria-label": "Language", "data-language": "" }, ...LANGUAGES.map((entry) => h("option", { value: String(entry.id) }, entry.name)));
  language.value = String(session.languageId());
  language.addEventListener("change", () => {
    session.setLanguage(Number(language.value));
    // The list and Partner Center pages have no live labels to update; draw them again.
    if (!/^#\/(opportunity|record)\//.test(location.hash)) void route();
    else navigation.replaceChildren(siteMapNav(model.app));
  });
  return h("nav", { className: "top-nav" },
    h("strong", {}, "Dynamics 365 · Co-sell sandbox"),
    h("a", { href: "#/" }, "Opportunities"),
    h("a", { href: "#/partner-center" }, "Partner Center"),
    h("span", { className: "spacer" }),
    h("label", {}, "Language ", language));
}

async function start(): Promise<void> {
  const page = document.getElementById("page") ?? document.body;
  const response = await fetch(PAGE_MODEL_PATH);
  model = (await response.json()) as PageModel;
  installXrm(session);
  page.append(header(), h("div", { className: "app-body" }, navigation, content));
  window.addEventListener("hashchange", () => void route());
  await route();
}

void start();
