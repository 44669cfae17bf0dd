/**
 * The Partner Center page: the partner's referrals as the referrals API lists them, and the sandbox's
 * Microsoft seller surface to send the partner a new co-sell referral (it then arrives by webhook,
 * as from the real Partner Center).
 */
import { PARTNER_CENTER_PREFIX } from "../page-model";
import { clear, h } from "./dom";

const REFERRALS = `${PARTNER_CENTER_PREFIX}/v1.0/engagements/referrals`;
const MICROSOFT_SELLER_REFERRALS = `${PARTNER_CENTER_PREFIX}/_sandbox/microsoft/referrals`;
/** The sandbox accepts any bearer token (a real tenant wants a delegated Referrals admin token). */
const AUTHORIZATION = { authorization: "Bearer sandbox-form-page" };

interface Referral {
  id: string;
  name?: string;
  status?: string;
  substatus?: string;
  direction?: string;
  customerProfile?: { name?: string; address?: { country?: string } };
  details?: { dealValue?: number; currency?: string };
  updatedDateTime?: string;
}

async function readError(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { description?: string; message?: string; code?: string };
    return body.description ?? body.message ?? body.code ?? response.statusText;
  } catch {
    return response.statusText;
  }
}

/** `selectedId`: the referral an "Open in Partner Center" link points at, marked and scrolled to. */
export async function showPartnerCenterPage(root: HTMLElement, selectedId?: string): Promise<void> {
  const body = h("tbody");
  const status = h("p", { className: "status", role: "status" });
  const load = async () => {
    const response = await fetch(`${REFERRALS}?$orderby=updatedDateTime desc&$top=100`, { headers: AUTHORIZATION });
    clear(body);
    if (!response.ok) {
      body.append(h("tr", {}, h("td", { colspan: 6, className: "problem" }, `Partner Center answered ${response.status}: ${await readError(response)}`)));
      return;
    }
    const referrals = ((await response.json()) as { value: Referral[] }).value;
    for (const referral of referrals) {
      const selected = referral.id === selectedId;
      body.append(h("tr", { "data-referral": referral.id, ...(selected ? { className: "selected", "aria-current": "true" } : {}) },
        h("td", {}, referral.name ?? ""),
        h("td", {}, referral.customerProfile?.name ?? ""),
        h("td", {}, `${referral.status ?? ""} / ${referral.substatus ?? ""}`),
        h("td", {}, referral.direction ?? ""),
        h("td", {}, referral.details?.dealValue === undefined ? "" : `${referral.details.dealValue.toLocaleString()} ${referral.details.currency ?? ""}`),
        h("td", { className: "mono" }, referral.id)));
    }
    if (referrals.length === 0) body.append(h("tr", {}, h("td", { colspan: 6 }, "No referrals yet.")));
    if (selectedId && !referrals.some((r) => r.id === selectedId)) status.textContent = `Referral ${selectedId} is not among the 100 most recently updated.`;
    body.querySelector("tr.selected")?.scrollIntoView({ block: "center" });
  };

  const field = (name: string, label: string, value: string, type = "text") => h("label", {}, label, h("input", { name, value, type, required: true }));
  const sendForm = h("form", { className: "seller-form", "aria-label": "Send a referral as a Microsoft seller" },
    h("h2", {}, "Send a referral as a Microsoft seller"),
    field("name", "Deal name", "Contoso cloud migration"),
    field("customer", "Customer", "Contoso Ltd"),
    field("country", "Country (ISO-2)", "US"),
    field("dealValue", "Deal value (USD)", "50000", "number"),
    h("button", { type: "submit", className: "command primary" }, "Send a referral as a Microsoft seller"));
  sendForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(sendForm);
    const referral = {
      name: String(data.get("name")),
      customerProfile: { name: String(data.get("customer")), address: { addressLine1: "1 Main St", city: "Redmond", postalCode: "98052", country: String(data.get("country")) } },
      details: { dealValue: Number(data.get("dealValue")), currency: "USD" },
    };
    void (async () => {
      const response = await fetch(MICROSOFT_SELLER_REFERRALS, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(referral) });
      status.textContent = response.ok ? `Microsoft sent "${referral.name}" to the partner.` : `Could not send the referral: ${await readError(response)}`;
      await load();
    })();
  });

  root.append(
    h("h1", {}, "Partner Center · Referrals"),
    sendForm,
    status,
    h("table", { className: "grid" }, h("thead", {}, h("tr", {}, ...["Name", "Customer", "Status", "Direction", "Deal value", "Id"].map((title) => h("th", {}, title)))), body),
  );
  await load();
}
