/**
 * Everything the Partner Center sandbox remembers: referrals (ours and Microsoft's side of shared
 * engagements), the webhook registration, test ("validation") events and the delivery log.
 *
 * In memory by default. With `stateFile` the state is loaded at start and written after every change
 * (write to a temporary file, then rename, so a crash never leaves half a file), so an admin can stop
 * and restart `npm start` without losing rehearsal data.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import type { Referral } from "./referral-schema";

/** Whose referral it is: the partner's own, or Microsoft's side of a shared engagement. */
export type ReferralOwner = "partner" | "microsoft";

export interface StoredReferral {
  owner: ReferralOwner;
  referral: Referral;
}

export interface WebhookRegistration {
  SubscriberId: string;
  WebhookUrl: string;
  WebhookEvents: string[];
  SignatureTokenToMsSignatureHeader: boolean;
}

export interface DeliveryAttempt {
  attempt: number;
  /** HTTP status from the receiver, or 0 when it could not be reached. */
  responseCode: number;
  responseMessage: string;
  systemError: string | null;
  dateTimeUtc: string;
}

export interface DeliveryRecord {
  deliveryId: string;
  eventName: string;
  body: string;
  webhookUrl: string;
  /** delivered: a 2xx came back; offline: 10 attempts failed; dropped: a fault swallowed it. */
  status: "pending" | "delivered" | "offline" | "dropped";
  duplicated: boolean;
  attempts: DeliveryAttempt[];
  correlationId?: string;
}

export interface ValidationEventRecord {
  correlationId: string;
  partnerId: string;
  callbackUrl: string;
  deliveryId: string;
  createdDateTime: string;
}

const PersistedStateSchema = z.object({
  referrals: z.array(z.object({ owner: z.enum(["partner", "microsoft"]), referral: z.looseObject({ id: z.string() }) })),
  registration: z
    .object({
      SubscriberId: z.string(),
      WebhookUrl: z.string(),
      WebhookEvents: z.array(z.string()),
      SignatureTokenToMsSignatureHeader: z.boolean(),
    })
    .nullable(),
  validationEvents: z.array(
    z.object({ correlationId: z.string(), partnerId: z.string(), callbackUrl: z.string(), deliveryId: z.string(), createdDateTime: z.string() }),
  ),
});

export class SandboxState {
  /** Insertion order is creation order, which the default list order relies on. */
  readonly referrals = new Map<string, StoredReferral>();
  registration: WebhookRegistration | null = null;
  readonly validationEvents = new Map<string, ValidationEventRecord>();
  /** Delivery log, newest last. Not persisted: it describes this process's deliveries. */
  readonly deliveries: DeliveryRecord[] = [];

  constructor(private readonly stateFile?: string) {
    if (stateFile && existsSync(stateFile)) this.load(stateFile);
  }

  private load(file: string): void {
    let parsed: z.infer<typeof PersistedStateSchema>;
    try {
      parsed = PersistedStateSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    } catch (cause) {
      throw new Error(`Partner Center sandbox state file ${file} is not valid; delete it or fix it`, { cause });
    }
    for (const stored of parsed.referrals) this.referrals.set(stored.referral.id, stored as StoredReferral);
    this.registration = parsed.registration;
    for (const event of parsed.validationEvents) this.validationEvents.set(event.correlationId, event);
  }

  /** Called after every change. */
  save(): void {
    if (!this.stateFile) return;
    const snapshot = {
      referrals: [...this.referrals.values()],
      registration: this.registration,
      validationEvents: [...this.validationEvents.values()],
    };
    const temporary = `${this.stateFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(snapshot, null, 2));
    renameSync(temporary, this.stateFile);
  }

  reset(): void {
    this.referrals.clear();
    this.registration = null;
    this.validationEvents.clear();
    this.deliveries.length = 0;
    this.save();
  }
}
