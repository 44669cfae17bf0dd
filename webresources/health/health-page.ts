/**
 * The Sync health page (web resource pcc_/html/synchealth.html, in the Co-sell app's admin area):
 * is the sync service running (its heartbeat rows), co-sell opportunities by sync status, the oldest
 * pending one, the latest errors with "Retry all". Plain DOM: an HTML web resource gets no React from
 * the platform (only code components do), and the page is small enough not to ship its own copy.
 * Reads and writes through the hosting app's Xrm.WebApi; refreshes every 30 seconds.
 */
import { readHealth, retryAll, type HealthData } from "./health-data";
import { serviceHealth, type InstanceHealth } from "./health-verdict";
import { healthMessages, type HealthMessages } from "./messages";

const REFRESH_MS = 30_000;

type Child = Node | string | null | undefined | false;
function h(tag: string, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) if (child) element.append(child);
  return element;
}

/** A web resource reaches the app's Xrm through its parent frame (same origin); a page opened on its own has none. */
function hostXrm(): typeof Xrm {
  const fromParent = (() => {
    try {
      return (window.parent as unknown as { Xrm?: typeof Xrm }).Xrm;
    } catch {
      return undefined;
    }
  })();
  const xrm = fromParent ?? (window as unknown as { Xrm?: typeof Xrm }).Xrm;
  if (!xrm) throw new Error("Open this page from the Co-sell app in Dynamics 365: it needs the app's Xrm to read the org.");
  return xrm;
}

function formatWhen(value: Date | string | null, languageId: number, never: string): string {
  if (!value) return never;
  const date = typeof value === "string" ? new Date(value) : value;
  return date.toLocaleString(languageId === 1040 ? "it-IT" : "en-US", { dateStyle: "medium", timeStyle: "short" });
}

function instanceTable(instance: InstanceHealth, m: HealthMessages, languageId: number): HTMLElement {
  const when = (date: Date | null) => formatWhen(date, languageId, m.never);
  const rows: [string, string, string?][] = [
    [m.instance, instance.name],
    [m.lastBeat, when(instance.beatOn)],
    [m.startedOn, when(instance.startedOn)],
    [m.lastDataverseWebhook, when(instance.lastDataverseWebhookOn)],
    [m.lastPartnerCenterWebhook, when(instance.lastPartnerCenterWebhookOn)],
    [m.lastReconcile, when(instance.lastReconcileOn)],
    [m.signIn, instance.signInStatus, "sign-in"],
    [m.signInExpires, when(instance.signInExpiresOn), "sign-in-expires"],
    [m.webhookHolder, instance.webhookHolder, "webhook-holder"],
  ];
  return h("table", { class: "facts", "data-instance": instance.name },
    ...rows.map(([label, value, key]) => h("tr", key ? { "data-fact": key } : {}, h("th", {}, label), h("td", {}, value))));
}

function serviceSection(data: HealthData, m: HealthMessages, languageId: number, now: Date): HTMLElement {
  const health = serviceHealth(data.heartbeats, now);
  const section = h("section", { "data-health": "service" }, h("h2", {}, m.service));
  if (!health.running) {
    section.append(h("div", { class: "banner error", role: "alert", "data-service": "not-running" },
      h("strong", {}, m.notRunning), " ",
      health.lastBeatOn ? m.lastHeartbeat(formatWhen(health.lastBeatOn, languageId, m.never)) : m.neverBeat,
      h("p", {}, m.whatToCheck),
      h("ul", {}, ...m.checks.map((check) => h("li", {}, check)))));
    if (health.lastInstance) section.append(instanceTable(health.lastInstance, m, languageId));
    return section;
  }
  const versions = [...new Set(health.instances.map((instance) => instance.version))].join(", ");
  section.append(h("div", { class: "banner ok", role: "status", "data-service": "running" }, m.running(health.instances.length, versions)));
  for (const instance of health.instances) {
    for (const warning of instance.warnings) {
      const text = warning === "sign-in-expiring" ? m.signInExpiring(formatWhen(instance.signInExpiresOn, languageId, m.never))
        : warning === "sign-in-problem" ? m.signInProblem : m.webhookNotOurs;
      section.append(h("div", { class: "banner warning", role: "alert", "data-warning": warning }, text));
    }
    section.append(instanceTable(instance, m, languageId));
  }
  return section;
}

function openRecord(xrm: typeof Xrm, id: string): void {
  void xrm.Navigation.openForm({ entityName: "opportunity", entityId: id });
}

function render(root: HTMLElement, xrm: typeof Xrm, data: HealthData, m: HealthMessages, languageId: number, reload: () => Promise<void>): void {
  const when = (value: string | null) => formatWhen(value, languageId, m.never);
  const link = (line: { id: string; name: string }) => {
    const anchor = h("a", { href: "#", "data-opportunity": line.id }, line.name || line.id);
    anchor.addEventListener("click", (event) => { event.preventDefault(); openRecord(xrm, line.id); });
    return anchor;
  };
  const retry = h("button", { type: "button", class: "primary", "data-action": "retry-all" }, m.retryAll) as HTMLButtonElement;
  retry.disabled = data.errorCount === 0;
  const retryOutcome = h("p", { "data-retry-outcome": "", role: "status" });
  retry.addEventListener("click", () => {
    retry.disabled = true;
    void retryAll(xrm.WebApi).then(
      (count) => { retryOutcome.textContent = m.retried(count); },
      (error: unknown) => { retryOutcome.textContent = m.couldNotLoad((error as { message?: string }).message ?? String(error)); retry.disabled = false; },
    );
  });
  const refresh = h("button", { type: "button", "data-action": "refresh" }, m.refresh);
  refresh.addEventListener("click", () => void reload());

  root.replaceChildren(
    h("header", {}, h("h1", {}, m.title), refresh),
    serviceSection(data, m, languageId, new Date()),
    h("section", { "data-health": "counts" }, h("h2", {}, m.byStatus),
      data.counts.length === 0 ? h("p", {}, m.noCoSell)
        : h("table", { class: "counts" }, ...data.counts.map((entry) => h("tr", { "data-status": String(entry.status) }, h("th", {}, entry.label), h("td", {}, String(entry.count))))),
      data.countsTruncated && h("p", {}, m.countsTruncated)),
    h("section", { "data-health": "oldest-pending" }, h("h2", {}, m.oldestPending),
      data.oldestPending ? h("p", {}, link(data.oldestPending), ` — ${m.pendingSince(when(data.oldestPending.since))}`) : h("p", {}, m.noPending)),
    h("section", { "data-health": "errors" }, h("h2", {}, m.latestErrors(data.errorCount)),
      data.latestErrors.length === 0 ? h("p", {}, m.noErrors)
        : h("table", { class: "errors" }, ...data.latestErrors.map((line) => h("tr", { "data-error-row": line.id }, h("td", {}, link(line)), h("td", {}, line.error), h("td", {}, when(line.since))))),
      retry, retryOutcome),
  );
}

async function start(): Promise<void> {
  const root = document.getElementById("health") ?? document.body;
  let languageId = 1033;
  const load = async () => {
    document.body.dataset["ready"] = "false";
    try {
      const xrm = hostXrm();
      languageId = xrm.Utility.getGlobalContext().userSettings.languageId;
      document.documentElement.lang = languageId === 1040 ? "it" : "en";
      const data = await readHealth(xrm.WebApi);
      render(root, xrm, data, healthMessages(languageId), languageId, load);
    } catch (error) {
      root.replaceChildren(h("div", { class: "banner error", role: "alert" }, healthMessages(languageId).couldNotLoad((error as { message?: string }).message ?? String(error))));
    }
    document.body.dataset["ready"] = "true";
  };
  await load();
  setInterval(() => void load(), REFRESH_MS);
}

void start();
