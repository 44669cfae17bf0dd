/**
 * The opportunity columns whose edits need a sync. The Dataverse webhook step filters on exactly
 * these, and the form marks a save "Pending" only when one of them changed, so the form never
 * promises a sync the service will not be told about. The backend's own bookkeeping columns
 * (sync status, error, last synced on, audit, referral id / link) are left out on purpose: the
 * service's writes must never wake the service.
 */
import { OpportunityColumns } from "./opportunity-column-names";
import { OpportunityStandardColumns } from "./standard-tables";

export const SYNC_TRIGGER_COLUMNS: readonly string[] = [
  OpportunityColumns.syncWithPartnerCenter,
  OpportunityColumns.howCanMicrosoftHelp,
  OpportunityColumns.products,
  OpportunityColumns.shareWithMicrosoftSellers,
  OpportunityColumns.syncRequestedOn,
  OpportunityColumns.referralStatus,
  OpportunityColumns.statusReason,
  OpportunityStandardColumns.name,
  OpportunityStandardColumns.estimatedValue,
  OpportunityStandardColumns.estimatedCloseDate,
  OpportunityStandardColumns.description,
  OpportunityStandardColumns.transactionCurrency,
  OpportunityStandardColumns.customer,
  OpportunityStandardColumns.parentAccount,
  OpportunityStandardColumns.stateCode,
];
