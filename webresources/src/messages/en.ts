import type { Messages } from "./messages";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const english: Messages = {
  dialogTitle: "Partner Center co-sell",
  ok: "OK",
  cancel: "Cancel",
  saving: "Saving…",
  syncing: "Syncing with Partner Center…",
  queueingSelected: "Asking Partner Center to sync the selected opportunities…",
  syncDone: "This opportunity is synced with Partner Center.",
  syncFailed: (reason) => `The sync with Partner Center failed: ${reason}`,
  syncStillPending: (seconds) =>
    `Partner Center has not answered within ${seconds} seconds. The sync goes on in the background; ` +
    "the Sync Status field shows the result when it is done.",
  saveFailed: (detail) => `The opportunity could not be saved, so nothing was sent to Partner Center: ${detail}`,
  unexpectedError: (detail) => `Something went wrong: ${detail}`,
  noReferralLink: "This opportunity has no Partner Center link yet. Sync it first.",
  unsafeReferralLink: (link) => `The referral link "${link}" is not a web address, so it was not opened.`,
  referralAccepted: "Referral accepted. Partner Center is updated in a few seconds.",
  declineReasonPrompt: "Why are you declining this referral? Microsoft sees this reason in Partner Center.",
  declineReasonRequired: "A reason is needed to decline a referral. Nothing was changed.",
  referralDeclined: "Referral declined. Partner Center is updated in a few seconds.",
  stopSyncingTitle: "Stop syncing with Partner Center",
  stopSyncingText:
    "Stop syncing this opportunity with Partner Center? The referral stays in Partner Center, " +
    "but changes are no longer exchanged.",
  stopSyncingConfirm: "Stop syncing",
  syncStopped: "This opportunity is no longer synced with Partner Center.",
  nothingSelected: "Select at least one opportunity first.",
  syncSelectedSummary: ({ queued, skippedNotSyncing, failed, firstFailure }) =>
    [
      `${plural(queued, "opportunity", "opportunities")} queued for sync with Partner Center.`,
      skippedNotSyncing > 0
        ? `${plural(skippedNotSyncing, "opportunity was", "opportunities were")} skipped because "Sync with Partner Center" is off.`
        : "",
      failed > 0 ? `${plural(failed, "opportunity", "opportunities")} could not be queued: ${firstFailure ?? "unknown error"}` : "",
    ].filter(Boolean).join("\n"),
  syncErrorNotification: (reason) => `Partner Center sync failed: ${reason}`,
  syncErrorWithoutReason: "Partner Center sync failed. Use Sync now to try again.",
  requirementsOnSwitchOn:
    "Partner Center will need: a customer account with a country, a deal value, a currency, a close date, " +
    "at least one solution id in Products (one per line, like SOL-12345-ABC) and a customer contact " +
    "if you ask Microsoft for help.",
  saveBlocked: (problems) =>
    `This opportunity cannot be shared with Partner Center yet:\n- ${problems.join("\n- ")}`,
  missingAccount: "Choose the customer account.",
  accountWithoutCountry: (accountName) => `The customer account "${accountName}" has no country in its address.`,
  accountNotReadable: (detail) => `The customer account could not be read (${detail}).`,
  missingDealValue: "Enter the deal value (Est. Revenue).",
  invalidDealValue: "The deal value must be more than zero.",
  missingCurrency: "Choose the currency.",
  missingCloseDate: "Enter the estimated close date.",
  missingSolution: "Add at least one co-sell solution id in Products, like SOL-12345-ABC.",
  invalidSolutionIds: (ids) => `These lines in Products are not solution ids (expected SOL-12345-ABC): ${ids.join(", ")}.`,
  missingContact: "Choose a customer contact: Microsoft needs someone to talk to when you ask for help.",
  wonTooSoon: (until) =>
    `Partner Center may reject the deal registration if this deal is marked Won within 72 hours of its referral's creation: wait until ${until.toISOString().slice(0, 16).replace("T", " ")} UTC before closing it as won.`,
  missingShareConsent: "Turn on \"Share with Microsoft sellers\" in the co-sell section: asking Microsoft for help shares the deal with Microsoft sellers, and that cannot be undone.",
};
