/**
 * Xrm.Navigation's dialogs and Xrm.Utility's progress indicator as page modals. They resolve the
 * way the platform's do (alert: when closed; confirm: { confirmed }), and they stay in the DOM as
 * role="dialog" elements so a person, or a browser test, reads exactly what the script said.
 */
import { h } from "./dom";

function modal(kind: string, title: string, body: Node[], buttons: { label: string; primary?: boolean; value: boolean }[]): Promise<boolean> {
  return new Promise((resolve) => {
    const backdrop = h("div", { className: "modal-backdrop" });
    const close = (value: boolean) => {
      backdrop.remove();
      resolve(value);
    };
    const dialog = h(
      "div",
      { className: `modal modal-${kind}`, role: kind === "alert" || kind === "error" ? "alertdialog" : "dialog", "aria-label": title, "data-dialog": kind },
      h("h2", {}, title),
      ...body,
      h("div", { className: "modal-buttons" }, ...buttons.map((button) => h("button", { type: "button", className: button.primary ? "primary" : "", onclick: () => close(button.value) }, button.label))),
    );
    backdrop.append(dialog);
    document.body.append(backdrop);
    dialog.querySelector<HTMLButtonElement>("button.primary")?.focus();
  });
}

/** Multi-line text keeps its lines (the co-sell check lists one problem per line). */
const paragraph = (text: string) => h("p", { className: "modal-text" }, text);

export async function openAlertDialog(strings: Xrm.Navigation.AlertStrings): Promise<void> {
  await modal("alert", strings.title ?? "", [paragraph(strings.text)], [{ label: strings.confirmButtonLabel ?? "OK", primary: true, value: true }]);
}

export async function openConfirmDialog(strings: Xrm.Navigation.ConfirmStrings): Promise<Xrm.Navigation.ConfirmResult> {
  const confirmed = await modal("confirm", strings.title ?? "", [paragraph(strings.text)], [
    { label: strings.confirmButtonLabel ?? "OK", primary: true, value: true },
    { label: strings.cancelButtonLabel ?? "Cancel", value: false },
  ]);
  return { confirmed };
}

export async function openErrorDialog(options: Xrm.Navigation.ErrorDialogOptions): Promise<void> {
  const body: Node[] = [paragraph(options.message ?? "")];
  if (options.details) body.push(h("details", {}, h("summary", {}, "Details"), h("pre", {}, options.details)));
  await modal("error", "Error", body, [{ label: "OK", primary: true, value: true }]);
}

let progress: HTMLElement | null = null;

export function showProgressIndicator(message: string): void {
  closeProgressIndicator();
  progress = h("div", { className: "modal-backdrop progress", role: "progressbar", "aria-label": message }, h("div", { className: "modal" }, h("div", { className: "spinner" }), message));
  document.body.append(progress);
}

export function closeProgressIndicator(): void {
  progress?.remove();
  progress = null;
}
