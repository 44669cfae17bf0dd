/** The one place a command turns a failure into what the user reads. */
import { describeError, SaveFailedError } from "../errors";
import type { ClientHost } from "../host/client-host";
import { showError } from "../host/dialogs";
import type { Messages } from "../messages/messages";

export async function reportCommandError(host: ClientHost, messages: Messages, error: unknown): Promise<void> {
  const text = error instanceof SaveFailedError ? messages.saveFailed(error.message) : messages.unexpectedError(describeError(error));
  try {
    await showError(host, text, error);
  } catch {
    // Nothing left to tell the user with; the command must still end quietly.
  }
}
