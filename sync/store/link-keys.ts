/**
 * Link keys. A link is keyed by the side that started it ("opportunity:<id>" for a deal shared from
 * Dynamics 365, "referral:<id>" for one that reached us first in Partner Center) and keeps that key
 * for life, so jobs queued before the other side existed coalesce with later ones. Ids are GUIDs;
 * they are lower-cased because Dataverse and Partner Center do not agree on case.
 */

export function opportunityLinkKey(opportunityId: string): string {
  return `opportunity:${opportunityId.toLowerCase()}`;
}

export function referralLinkKey(referralId: string): string {
  return `referral:${referralId.toLowerCase()}`;
}
