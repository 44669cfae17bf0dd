/** Dialogs and the progress indicator, always through the injected Xrm so tests can see them. */
import { describeError } from "../errors";
import type { Messages } from "../messages/messages";
import type { ClientHost } from "./client-host";

export async function showAlert(host: ClientHost, messages: Messages, text: string): Promise<void> {
  await host.xrm.Navigation.openAlertDialog({ title: messages.dialogTitle, text, confirmButtonLabel: messages.ok });
}

export async function showError(host: ClientHost, message: string, error?: unknown): Promise<void> {
  // details carries the technical reason for support; message stays in plain words.
  await host.xrm.Navigation.openErrorDialog({ message, details: error === undefined ? undefined : describeError(error) });
}

export async function askToConfirm(
  host: ClientHost, messages: Messages, strings: { title: string; text: string; confirm: string },
): Promise<boolean> {
  const answer = await host.xrm.Navigation.openConfirmDialog({
    title: strings.title, text: strings.text, confirmButtonLabel: strings.confirm, cancelButtonLabel: messages.cancel,
  });
  return answer.confirmed === true;
}

/** Runs work under the progress indicator and always takes the indicator down again. */
export async function withProgress<T>(host: ClientHost, text: string, work: () => Promise<T>): Promise<T> {
  host.xrm.Utility.showProgressIndicator(text);
  try {
    return await work();
  } finally {
    host.xrm.Utility.closeProgressIndicator();
  }
}
