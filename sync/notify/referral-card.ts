/**
 * The Teams message for a new Microsoft referral: an Adaptive Card (1.4, the version Teams renders)
 * with the customer, the deal value, the close date, what Microsoft asks for and a link to the
 * opportunity, wrapped the way Teams Workflows' "post to a channel when a webhook request is
 * received" trigger expects it.
 */
import { HOW_CAN_MICROSOFT_HELP_OPTIONS } from "../../entities";
import { MICROSOFT_ORGANIZATION_ID, type Referral } from "../partner-center/referral-types";

/** A referral a Microsoft seller sent us (inviteContext.invitedBy names "msft"), not a marketplace lead or our own share. */
export function isFromMicrosoftSeller(referral: Referral): boolean {
  return referral.direction === "Incoming" && referral.inviteContext?.invitedBy?.organizationId?.toLowerCase() === MICROSOFT_ORGANIZATION_ID;
}

export interface ReferralCardInput {
  readonly referral: Referral;
  /** The opportunity the referral became, as a Dynamics 365 link. */
  readonly opportunityUrl: string;
  /** "Open in Partner Center". */
  readonly referralUrl: string;
}

export interface TeamsWebhookMessage {
  readonly type: "message";
  readonly attachments: readonly [{ readonly contentType: "application/vnd.microsoft.card.adaptive"; readonly contentUrl: null; readonly content: Record<string, unknown> }];
}

const NOT_GIVEN = "not given";

function dealValue(referral: Referral): string {
  const value = referral.details?.dealValue;
  if (value === null || value === undefined) return NOT_GIVEN;
  const currency = referral.details?.currency ?? "";
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency, maximumFractionDigits: 2 }).format(Number(value));
  } catch {
    return `${String(value)} ${currency}`.trim();
  }
}

function closeDate(referral: Referral): string {
  const date = referral.details?.closingDateTime;
  return date ? date.slice(0, 10) : NOT_GIVEN;
}

/** "How can Microsoft help?" as the form labels it, then the seller's note and the products asked about. */
function whatMicrosoftAsks(referral: Referral): string {
  const code = referral.inviteContext?.assistanceRequestCode;
  const help = code && code !== "Unknown" ? HOW_CAN_MICROSOFT_HELP_OPTIONS.find((option) => option.code === code)?.label[1033] : undefined;
  const products = (referral.details?.requirements?.products ?? []).map((product) => String(product.name ?? product.id)).filter(Boolean);
  const parts = [help, products.length > 0 ? `products: ${products.join(", ")}` : undefined].filter((part): part is string => !!part);
  return parts.length > 0 ? parts.join("; ") : NOT_GIVEN;
}

function microsoftSeller(referral: Referral): string | null {
  const seller = (referral.team ?? [])[0];
  if (!seller) return null;
  const name = [seller.firstName, seller.lastName].filter(Boolean).join(" ");
  return [name, seller.email ? `(${seller.email})` : ""].filter(Boolean).join(" ") || null;
}

export function referralCard(input: ReferralCardInput): TeamsWebhookMessage {
  const { referral } = input;
  const seller = microsoftSeller(referral);
  const facts = [
    { title: "Customer", value: referral.customerProfile?.name ?? NOT_GIVEN },
    { title: "Value", value: dealValue(referral) },
    { title: "Close date", value: closeDate(referral) },
    { title: "Microsoft asks for", value: whatMicrosoftAsks(referral) },
    ...(seller ? [{ title: "Microsoft seller", value: seller }] : []),
  ];
  const notes = referral.inviteContext?.notes?.trim();
  const content = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body: [
      { type: "TextBlock", text: "New co-sell referral from Microsoft", weight: "Bolder", size: "Medium", wrap: true },
      { type: "TextBlock", text: referral.name ?? referral.id, wrap: true, spacing: "None", isSubtle: true },
      { type: "FactSet", facts },
      ...(notes ? [{ type: "TextBlock", text: notes, wrap: true }] : []),
    ],
    actions: [
      { type: "Action.OpenUrl", title: "Open the opportunity", url: input.opportunityUrl },
      { type: "Action.OpenUrl", title: "Open in Partner Center", url: input.referralUrl },
    ],
  };
  return { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content }] };
}

/** The opportunity's page in the model-driven app. */
export function opportunityRecordUrl(orgUrl: string, opportunityId: string): string {
  const url = new URL("/main.aspx", orgUrl);
  url.search = new URLSearchParams({ pagetype: "entityrecord", etn: "opportunity", id: opportunityId }).toString();
  return url.toString();
}
