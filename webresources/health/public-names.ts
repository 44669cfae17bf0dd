/**
 * The Sync health page's web resource names: the HTML page the Co-sell app's site map opens and the
 * script it loads (relative to itself, as web resources may). Imported by the packer (Node) and the
 * page, so free of browser code.
 */
export const HEALTH_PAGE_NAME = "pcc_/html/synchealth.html";
export const HEALTH_SCRIPT_NAME = "pcc_/js/synchealth.js";
/** The script as the page refers to it: ../js/synchealth.js from pcc_/html/. */
export const HEALTH_SCRIPT_RELATIVE_URL = "../js/synchealth.js";
