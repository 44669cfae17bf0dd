/**
 * The names the solution XML uses to reach the web resource: its unique name, the global namespace
 * of the bundle and every function a form event or ribbon command calls. The form part and the
 * ribbon part of the packer import these, and a contract test checks each one exists on the built
 * bundle's global namespace, so XML and code cannot drift apart.
 *
 * This module is imported by the packer in Node as well as by the bundle, so it must stay free of
 * browser code.
 */
export const WEB_RESOURCE_NAME = "pcc_/js/cosell.js";
export const GLOBAL_NAMESPACE = "PartnerCenterCoSell";

/** Form event handlers (registered on the shipped "Opportunity – Co-sell" form). */
export const FORM_HANDLERS = {
  onLoad: `${GLOBAL_NAMESPACE}.Form.onLoad`,
  onSave: `${GLOBAL_NAMESPACE}.Form.onSave`,
  onSyncSwitchChange: `${GLOBAL_NAMESPACE}.Form.onSyncSwitchChange`,
} as const;

/** Ribbon command actions and custom enable rules (opportunity form and grid command bars). */
export const RIBBON_FUNCTIONS = {
  syncNow: `${GLOBAL_NAMESPACE}.Ribbon.syncNow`,
  openInPartnerCenter: `${GLOBAL_NAMESPACE}.Ribbon.openInPartnerCenter`,
  acceptReferral: `${GLOBAL_NAMESPACE}.Ribbon.acceptReferral`,
  declineReferral: `${GLOBAL_NAMESPACE}.Ribbon.declineReferral`,
  stopSyncing: `${GLOBAL_NAMESPACE}.Ribbon.stopSyncing`,
  syncSelected: `${GLOBAL_NAMESPACE}.Ribbon.syncSelected`,
  isSyncNowEnabled: `${GLOBAL_NAMESPACE}.Ribbon.isSyncNowEnabled`,
  isOpenInPartnerCenterEnabled: `${GLOBAL_NAMESPACE}.Ribbon.isOpenInPartnerCenterEnabled`,
  isAnswerReferralEnabled: `${GLOBAL_NAMESPACE}.Ribbon.isAnswerReferralEnabled`,
  isStopSyncingEnabled: `${GLOBAL_NAMESPACE}.Ribbon.isStopSyncingEnabled`,
} as const;

/**
 * Every fully qualified function name the solution XML may reference: the one list the contract
 * test walks against the built bundle.
 */
export const PUBLIC_FUNCTION_NAMES: readonly string[] = [
  ...Object.values(FORM_HANDLERS),
  ...Object.values(RIBBON_FUNCTIONS),
];

