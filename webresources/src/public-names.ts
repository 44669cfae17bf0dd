/**
 * The names the solution XML uses to reach the web resource: its unique name, the global namespace
 * of the bundle and every function a form event or ribbon command calls. The form part and the
 * ribbon part of the packer import these, and a contract test checks each one exists on the built
 * bundle's global namespace, so XML and code cannot drift apart.
 */
export const WEB_RESOURCE_NAME = "pcc_/js/cosell.js";
export const GLOBAL_NAMESPACE = "PartnerCenterCoSell";

/** Form event handlers (registered on the shipped "Opportunity – Co-sell" form). */
export const FORM_HANDLERS = {
  onLoad: `${GLOBAL_NAMESPACE}.Form.onLoad`,
  onSave: `${GLOBAL_NAMESPACE}.Form.onSave`,
  onSyncSwitchChange: `${GLOBAL_NAMESPACE}.Form.onSyncSwitchChange`,
} as const;
