/**
 * When the service last heard from each side and last finished a catch-up: the moments the
 * heartbeat reports. The webhook routes and the reconciler tell it; nothing else reads it.
 */
export type WebhookSource = "dataverse" | "partner-center";

export class ServiceActivity {
  private readonly lastWebhook: Record<WebhookSource, Date | null> = { dataverse: null, "partner-center": null };
  private lastReconcile: Date | null = null;

  constructor(private readonly now: () => Date = () => new Date()) {}

  webhookAccepted(source: WebhookSource): void {
    this.lastWebhook[source] = this.now();
  }

  reconciled(): void {
    this.lastReconcile = this.now();
  }

  lastWebhookFrom(source: WebhookSource): Date | null {
    return this.lastWebhook[source];
  }

  lastReconcileAt(): Date | null {
    return this.lastReconcile;
  }
}
