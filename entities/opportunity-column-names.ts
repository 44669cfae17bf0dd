/**
 * The logical names of our opportunity columns, alone: the form scripts import them from here so
 * their bundle does not carry every column's labels and option lists (opportunity-columns.ts).
 */
/** Logical names of our opportunity columns, for code that reads or writes them. */
export const OpportunityColumns = {
  syncWithPartnerCenter: "pcc_syncwithpartnercenter",
  referralIdentifier: "pcc_referralidentifier",
  referralLink: "pcc_referrallink",
  howCanMicrosoftHelp: "pcc_howcanmicrosofthelp",
  products: "pcc_products",
  audit: "pcc_audit",
  shareWithMicrosoftSellers: "pcc_sharewithmicrosoftsellers",
  syncStatus: "pcc_syncstatus",
  syncError: "pcc_syncerror",
  conflictNotice: "pcc_conflictnotice",
  lastSyncedOn: "pcc_lastsyncedon",
  syncRequestedOn: "pcc_syncrequestedon",
  referralStatus: "pcc_referralstatus",
  referralDirection: "pcc_referraldirection",
  statusReason: "pcc_statusreason",
  microsoftCrmIdentifier: "pcc_microsoftcrmidentifier",
  microsoftMsxId: "pcc_microsoftmsxid",
  customerMarketplaceIntent: "pcc_customermarketplaceintent",
  partnerRole: "pcc_partnerrole",
  solutionArea: "pcc_solutionarea",
  solutionPlay: "pcc_solutionplay",
} as const;
export type OpportunityColumnKey = keyof typeof OpportunityColumns;
export type OpportunityColumnName = (typeof OpportunityColumns)[OpportunityColumnKey];
