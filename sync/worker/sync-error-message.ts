/**
 * The reason a seller reads in pcc_syncerror when a sync is given up: what went wrong and what to
 * do, in plain words, never a stack trace or a raw HTTP dump.
 */
import { DataverseError } from "../dataverse/dataverse-error";
import { MappingError } from "../engine";
import { PartnerCenterError } from "../partner-center/partner-center-error";

const SYNC_NOW = "Use Sync now to try again.";

/** The server's own words, without the request line the client prefixes for the logs. */
function serverReason(message: string): string {
  return message.replace(/^(GET|POST|PUT|PATCH|DELETE) \S+ (failed with HTTP \d+|→ \d+( \S+)?): /, "");
}

export function describeSyncError(error: unknown): string {
  if (error instanceof PartnerCenterError) {
    if (error.status === 401 || error.status === 403) {
      return "Partner Center refused the sync service's sign-in. An admin must run `cosell login` with a Referrals admin account.";
    }
    if (error.status === 429) return `Partner Center kept asking us to slow down (too many requests). ${SYNC_NOW}`;
    if (error.status >= 500 || error.status === 0) return `Partner Center is not answering right now (${error.status || "no connection"}). ${SYNC_NOW}`;
    if (error.status === 412) return `The referral kept changing in Partner Center while we synced. ${SYNC_NOW}`;
    if (error.code === "unreadableReferral") {
      return `Partner Center sent this referral in a shape the connector cannot read, so it is not synced (${serverReason(error.message).replace(/^.*cannot read: /, "")}). Ask your admin to report it; other referrals are not affected.`;
    }
    return `Partner Center refused the change: ${serverReason(error.message)}`;
  }
  if (error instanceof DataverseError) {
    if (error.status === 429) return `Dataverse kept asking us to slow down (service protection limits). ${SYNC_NOW}`;
    if (error.status >= 500 || error.status === 0) return `Dataverse is not answering right now (${error.status || "no connection"}). ${SYNC_NOW}`;
    return `Dataverse refused the change: ${serverReason(error.message)}`;
  }
  if (error instanceof MappingError) return error.message;
  return `The sync failed unexpectedly: ${error instanceof Error ? error.message : String(error)}. ${SYNC_NOW}`;
}
