/**
 * How a command writes columns and saves: the new values are written, the save is approved past
 * the OnSave co-sell check (the command has checked what it needs), and when the save fails the
 * columns go back to what they were, so a failed command never leaves a half-done change on the
 * form for the next save to send by surprise.
 */
import { SaveFailedError } from "../errors";
import { currentValue, writeValue, type FormContext } from "../forms/form-values";
import { approveNextSave, withdrawApproval } from "../forms/save-approval";
import type { ClientHost } from "../host/client-host";

export async function saveChanges(host: ClientHost, form: FormContext, changes: Record<string, unknown>): Promise<void> {
  const previous = Object.keys(changes).map((column) => [column, currentValue(form, column)] as const);
  for (const [column, value] of Object.entries(changes)) writeValue(form, column, value);
  approveNextSave(form, host.now().getTime());
  try {
    await form.data.save();
  } catch (error) {
    withdrawApproval();
    for (const [column, value] of previous) writeValue(form, column, value);
    throw new SaveFailedError(error);
  }
}
