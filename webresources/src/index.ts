/**
 * The public surface of pcc_/js/cosell.js: exactly the functions the solution XML may call, as
 * PartnerCenterCoSell.Ribbon.* and PartnerCenterCoSell.Form.*. Each one resolves the page's Xrm
 * at call time and hands it to the real logic, which never touches globals (tests inject xrm-mock).
 * `satisfies` ties the members to public-names.ts: a name listed there without a function here, or
 * the other way round, does not compile.
 */
import { onLoad } from "./forms/opportunity-onload.handler";
import { onSave } from "./forms/opportunity-onsave.handler";
import { onSyncSwitchChange } from "./forms/sync-switch-onchange.handler";
import { browserHost } from "./host/client-host";
import type { FORM_HANDLERS, RIBBON_FUNCTIONS } from "./public-names";
import * as rules from "./rules/enable-rules";
import { openInPartnerCenter } from "./ribbon/open-in-partner-center.command";
import { acceptReferral, declineReferral } from "./ribbon/referral-answer.command";
import { stopSyncing } from "./ribbon/stop-syncing.command";
import { syncNow } from "./ribbon/sync-now.command";
import { syncSelected } from "./ribbon/sync-selected.command";

type PublicFunctions<T> = Record<keyof T, (...args: never[]) => unknown>;

/** PrimaryControl on a form command is the form context. */
type PrimaryControl = Xrm.FormContext;

export const Ribbon = {
  syncNow: (primaryControl: PrimaryControl) => syncNow(browserHost(), primaryControl),
  openInPartnerCenter: (primaryControl: PrimaryControl) => openInPartnerCenter(browserHost(), primaryControl),
  acceptReferral: (primaryControl: PrimaryControl) => acceptReferral(browserHost(), primaryControl),
  declineReferral: (primaryControl: PrimaryControl) => declineReferral(browserHost(), primaryControl),
  stopSyncing: (primaryControl: PrimaryControl) => stopSyncing(browserHost(), primaryControl),
  syncSelected: (selectedIds: string[], selectedControl?: { refresh(): void }) =>
    syncSelected(browserHost(), selectedIds, selectedControl),
  isSyncNowEnabled: (primaryControl: PrimaryControl) => rules.isSyncNowEnabled(primaryControl),
  isOpenInPartnerCenterEnabled: (primaryControl: PrimaryControl) => rules.isOpenInPartnerCenterEnabled(primaryControl),
  isAnswerReferralEnabled: (primaryControl: PrimaryControl) => rules.isAnswerReferralEnabled(primaryControl),
  isStopSyncingEnabled: (primaryControl: PrimaryControl) => rules.isStopSyncingEnabled(primaryControl),
} satisfies PublicFunctions<typeof RIBBON_FUNCTIONS>;

export const Form = {
  onLoad: (executionContext: Xrm.Events.EventContext) => onLoad(browserHost(), executionContext),
  onSave: (executionContext: Xrm.Events.SaveEventContext) => {
    void onSave(browserHost(), executionContext);
  },
  onSyncSwitchChange: (executionContext: Xrm.Events.EventContext) => onSyncSwitchChange(browserHost(), executionContext),
} satisfies PublicFunctions<typeof FORM_HANDLERS>;
