/**
 * Signed delivery of Partner Center webhook events to the registered URL (reference §2.3 - §2.6).
 *
 * - Body: the five PascalCase fields; the referral itself is never in the event.
 * - Headers: `Authorization: Signature <base64 RSA-SHA256 (PKCS#1 v1.5) of the raw body>` (or
 *   `x-ms-signature` with the same value when the registration asked for SignatureTokenToMsSignatureHeader),
 *   `x-ms-certificate-url` (the sandbox serves its certificate there), `x-ms-signature-algorithm: rsa-sha256`.
 * - Up to 10 attempts; anything but 2xx (or no answer) is retried with exponential backoff, then the
 *   event goes to the "offline queue" (status offline) and is not retried, as documented. The real
 *   backoff timing is not documented [?]; ours is configurable so tests run in milliseconds.
 * - Faults from FaultSettings: webhookDuplicateRate (sent twice), webhookDropRate (never sent),
 *   webhookReorderRate (held back and sent after the next event).
 */
import { randomUUID, sign, type KeyObject } from "node:crypto";
import type { Faults } from "../shared/fault-injection";
import type { DeliveryAttempt, DeliveryRecord, SandboxState } from "./sandbox-state";

export const MAX_DELIVERY_ATTEMPTS = 10;

export interface WebhookDispatcherOptions {
  state: SandboxState;
  faults: Faults;
  privateKey: KeyObject;
  certificateUrl: () => string;
  /** Base of ResourceUri; the documented form is `{baseURL}/engagements/v1/referrals/{id}` (§2.4). */
  resourceBaseUrl: () => string;
  /** First retry delay; doubles per attempt up to maxBackoffMs. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Per-attempt timeout when the receiver does not answer. */
  attemptTimeoutMs: number;
  /** How long a "reordered" event waits for a later one to overtake it before it goes anyway. */
  reorderHoldMs: number;
  maxAttempts?: number;
}

export interface WebhookEventBody {
  EventName: string;
  ResourceUri: string;
  ResourceName: string;
  AuditUri: string | null;
  ResourceChangeUtcDate: string;
}

/** "2025-03-04T11:02:17.123Z" → "2025-03-04T11:02:17.1230000+00:00", the documented shape (§4.3). */
export function toResourceChangeUtcDate(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$10000+00:00");
}

export function signBody(body: string, privateKey: KeyObject): string {
  // RSA keys sign with PKCS#1 v1.5 padding by default, which is what .NET's VerifyData expects.
  return sign("sha256", Buffer.from(body, "utf8"), privateKey).toString("base64");
}

export class WebhookDispatcher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private held: { records: DeliveryRecord[]; timer: NodeJS.Timeout } | undefined;
  private closed = false;
  /** Deliveries forgotten by a reset: their in-flight attempt must neither retry nor count. */
  private readonly cancelled = new WeakSet<DeliveryRecord>();

  constructor(private readonly options: WebhookDispatcherOptions) {}

  /** Builds and sends an event if the registration subscribes to it. Returns the delivery records. */
  notify(eventName: string, resourceName: string, resourceId: string, changedAt: Date, correlationId?: string): DeliveryRecord[] {
    const registration = this.options.state.registration;
    if (this.closed || !registration || !registration.WebhookEvents.includes(eventName)) return [];
    const event: WebhookEventBody = {
      EventName: eventName,
      ResourceUri: `${this.options.resourceBaseUrl()}/${resourceName === "test" ? "webhooks/v1/tests" : "engagements/v1/referrals"}/${resourceId}`,
      ResourceName: resourceName,
      AuditUri: null,
      ResourceChangeUtcDate: toResourceChangeUtcDate(changedAt),
    };
    const body = JSON.stringify(event);
    const record = this.newRecord(eventName, body, registration.WebhookUrl, false, correlationId);
    const { faults } = this.options;
    const settings = faults.current;
    // Test events (validationEvents) are never faulted: they exist to check the receiver.
    const faultable = resourceName !== "test";
    if (faultable && faults.roll(settings.webhookDropRate)) {
      record.status = "dropped";
      return [record];
    }
    const records = [record];
    if (faultable && faults.roll(settings.webhookDuplicateRate)) {
      records.push(this.newRecord(eventName, body, registration.WebhookUrl, true, correlationId));
    }
    const previouslyHeld = this.held;
    if (previouslyHeld) {
      // A later event overtakes the held one: send this first, then release the held one.
      clearTimeout(previouslyHeld.timer);
      this.timers.delete(previouslyHeld.timer);
      this.held = undefined;
    }
    if (faultable && !previouslyHeld && faults.roll(settings.webhookReorderRate)) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.held?.records[0] === record) this.held = undefined;
        for (const each of records) this.start(each);
      }, this.options.reorderHoldMs);
      this.timers.add(timer);
      // The whole batch is held (a duplicate too), so "pending" drains when it is released.
      this.held = { records, timer };
      this.pending += records.length;
      return records;
    }
    this.pending += records.length;
    for (const each of records) this.start(each);
    if (previouslyHeld) for (const each of previouslyHeld.records) this.start(each);
    return records;
  }

  private newRecord(eventName: string, body: string, webhookUrl: string, duplicated: boolean, correlationId?: string): DeliveryRecord {
    const record: DeliveryRecord = {
      deliveryId: randomUUID(),
      eventName,
      body,
      webhookUrl,
      status: "pending",
      duplicated,
      attempts: [],
      ...(correlationId ? { correlationId } : {}),
    };
    this.options.state.deliveries.push(record);
    return record;
  }

  private start(record: DeliveryRecord): void {
    void this.attempt(record);
  }

  private async attempt(record: DeliveryRecord): Promise<void> {
    if (this.closed) return this.settle();
    const registration = this.options.state.registration;
    const signature = `Signature ${signBody(record.body, this.options.privateKey)}`;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-ms-certificate-url": this.options.certificateUrl(),
      "x-ms-signature-algorithm": "rsa-sha256",
    };
    if (registration?.SignatureTokenToMsSignatureHeader) headers["x-ms-signature"] = signature;
    else headers.authorization = signature;

    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.options.attemptTimeoutMs);
    const attempt: DeliveryAttempt = {
      attempt: record.attempts.length + 1,
      responseCode: 0,
      responseMessage: "",
      systemError: null,
      dateTimeUtc: new Date().toISOString(),
    };
    try {
      const response = await fetch(record.webhookUrl, { method: "POST", headers, body: record.body, signal: controller.signal });
      attempt.responseCode = response.status;
      attempt.responseMessage = response.statusText;
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      attempt.systemError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    if (this.cancelled.has(record)) return;
    record.attempts.push(attempt);
    if (attempt.responseCode >= 200 && attempt.responseCode < 300) {
      record.status = "delivered";
      return this.settle();
    }
    const maxAttempts = this.options.maxAttempts ?? MAX_DELIVERY_ATTEMPTS;
    if (record.attempts.length >= maxAttempts || this.closed) {
      record.status = this.closed ? record.status : "offline";
      return this.settle();
    }
    const delay = Math.min(this.options.initialBackoffMs * 2 ** (record.attempts.length - 1), this.options.maxBackoffMs);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(record);
    }, delay);
    this.timers.add(timer);
  }

  private settle(): void {
    this.pending = Math.max(0, this.pending - 1);
    if (this.pending === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Resolves when every queued delivery has been delivered, dropped or moved offline. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    this.pending = 0;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Forget queued retries (reset endpoint) without closing. */
  cancelAll(): void {
    for (const record of this.options.state.deliveries) this.cancelled.add(record);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.held = undefined;
    for (const controller of this.inFlight) controller.abort();
    this.pending = 0;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
