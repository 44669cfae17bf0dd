/** "Open in Partner Center": opens the referral the sync service linked to this opportunity. */
import { OpportunityColumns } from "../../../entities/opportunity-column-names";
import { readText, type FormContext } from "../forms/form-values";
import type { ClientHost } from "../host/client-host";
import { showAlert } from "../host/dialogs";
import { messagesFor } from "../messages/messages";
import { reportCommandError } from "./command-errors";

export async function openInPartnerCenter(host: ClientHost, form: FormContext): Promise<void> {
  const messages = messagesFor(host.xrm);
  try {
    const link = readText(form, OpportunityColumns.referralLink);
    if (!link) {
      await showAlert(host, messages, messages.noReferralLink);
      return;
    }
    // The column is plain text to Dataverse; only ever open a web address from it, never a script URL.
    if (!/^https:\/\/[^\s]+$/i.test(link)) {
      await showAlert(host, messages, messages.unsafeReferralLink(link));
      return;
    }
    host.xrm.Navigation.openUrl(link);
  } catch (error) {
    await reportCommandError(host, messages, error);
  }
}
