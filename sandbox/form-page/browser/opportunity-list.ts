/**
 * The opportunity list: the sandbox org's opportunities (newest first) with their co-sell status,
 * a "New opportunity" button, and the home grid's command bar from the RibbonDiffXml (its
 * SelectedControlSelectedItemIds are the ticked rows).
 */
import { OpportunityColumns } from "../../../entities/opportunity-columns";
import { OpportunityStandardColumns, Tables } from "../../../entities/standard-tables";
import type { PageModel } from "../page-model";
import { commandBar, loadLibraries } from "./command-bar";
import { clear, h } from "./dom";
import { session } from "./session";
import { getJson } from "./web-api";

const FORMATTED = "@OData.Community.Display.V1.FormattedValue";
const S = OpportunityStandardColumns;
const C = OpportunityColumns;

export interface ListOptions {
  onOpen(id: string): void;
  onNew(): void;
}

export async function showOpportunityList(root: HTMLElement, model: PageModel, options: ListOptions): Promise<void> {
  const language = session.languageId();
  const it = language === 1040;
  const selected = new Set<string>();
  const body = h("tbody");
  const load = async () => {
    const rows = await getJson<{ value: Record<string, unknown>[] }>(
      `${Tables.opportunity.entitySetName}?$select=${[S.id, S.name, S.estimatedValue, C.syncWithPartnerCenter, C.syncStatus, C.referralIdentifier, C.referralDirection].join(",")}&$orderby=${S.createdOn} desc&$top=100`,
    );
    clear(body);
    for (const row of rows.value) {
      const id = String(row[S.id]);
      const text = (column: string) => String(row[`${column}${FORMATTED}`] ?? row[column] ?? "");
      const box = h("input", { type: "checkbox", "aria-label": `Select ${text(S.name)}`, checked: selected.has(id) });
      box.addEventListener("change", () => {
        if (box.checked) selected.add(id);
        else selected.delete(id);
        bar.refresh();
      });
      body.append(h("tr", { "data-opportunity": id },
        h("td", {}, box),
        h("td", {}, h("a", { href: `#/opportunity/${id}`, onclick: (event: Event) => { event.preventDefault(); options.onOpen(id); } }, text(S.name) || "(no name)")),
        h("td", {}, text(S.estimatedValue)),
        h("td", {}, text(C.syncWithPartnerCenter)),
        h("td", {}, text(C.syncStatus)),
        h("td", {}, text(C.referralDirection)),
        h("td", { className: "mono" }, text(C.referralIdentifier))));
    }
    if (rows.value.length === 0) body.append(h("tr", {}, h("td", { colspan: 7 }, it ? "Nessuna opportunità." : "No opportunities yet.")));
  };

  await loadLibraries(model.ribbon, model.webResources);
  const newButton = h("button", { type: "button", className: "command primary", "data-command": "new-opportunity", onclick: () => options.onNew() }, it ? "Nuova opportunità" : "New opportunity");
  const bar = commandBar(model.ribbon.filter((button) => button.surface === "grid"), language, {
    primaryEntityTypeName: Tables.opportunity.logicalName,
    selectedIds: () => [...selected],
    selectedControl: { refresh: () => void load() },
    canWriteRecord: () => true,
  }, [newButton]);
  root.append(
    bar.element,
    h("h1", {}, it ? "Opportunità" : "Opportunities"),
    h("table", { className: "grid" },
      h("thead", {}, h("tr", {}, h("th", {}, ""), h("th", {}, it ? "Nome" : "Name"), h("th", {}, it ? "Valore stimato" : "Est. value"), h("th", {}, "Sync"), h("th", {}, it ? "Stato sync" : "Sync status"), h("th", {}, it ? "Direzione" : "Direction"), h("th", {}, "Referral"))),
      body),
  );
  try {
    await load();
  } catch (error) {
    body.append(h("tr", {}, h("td", { colspan: 7, className: "problem", role: "alert" },
      `Could not list opportunities: ${(error as { message?: string }).message ?? String(error)} (has the solution been imported into the Dataverse sandbox?)`)));
  }
}
