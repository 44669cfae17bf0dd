/**
 * Runs the registered webhook steps after each write, as Dataverse's asynchronous service does:
 * finds enabled steps for the message and table (via sdkmessage / sdkmessagefilter), honours
 * filtering attributes on Update, adds registered images, and POSTs the RemoteExecutionContext to the
 * service endpoint with the x-ms-dynamics-* headers and the endpoint's authentication
 * (WebhookKey as the `code` query value, HttpHeader / HttpQueryString from the settings XML).
 * Delivery follows Dataverse's rule (use-webhooks.md): any non-2xx answer fails the delivery, only
 * 502, 503 and 504 get one more attempt, and nothing else is ever redelivered. (`redeliver` is the
 * kinder rule the sandbox used to follow: retries with backoff; kept as an option, never a default.)
 * Webhook faults (drop / duplicate / reorder) apply here.
 */
import { randomUUID } from "node:crypto";
import { XMLParser } from "fast-xml-parser";
import {
  RegistrationTables,
  ServiceEndpointAuthType,
  ServiceEndpointContract,
  StepImageType,
} from "../../entities";
import type { Faults } from "../shared/fault-injection";
import { isLookupValue, type StoredRecord } from "./entity-store";
import type { WriteEvent } from "./record-operations";
import { buildRemoteExecutionContext, type ImageRegistration } from "./remote-execution-context";
import type { SandboxContext } from "./sandbox-context";

export interface WebhookDelivery {
  stepId: string;
  url: string;
  messageName: string;
  entityName: string;
  entityId: string;
  attempts: number;
  status: "delivered" | "failed" | "dropped";
  lastStatusCode?: number;
}

export type DeliveryRule = "dataverse" | "redeliver";

export interface DispatcherOptions {
  /** `dataverse`: one retry after 502/503/504 only. `redeliver`: up to maxAttempts on any failure. */
  rule: DeliveryRule;
  /** Attempts per delivery under the `redeliver` rule. */
  maxAttempts: number;
  /** Delay before a retry (under `redeliver`, the first one; it doubles per attempt). */
  retryDelayMs: number;
  /**
   * `second` (default): OperationCreatedOn is the row's modifiedon, whole seconds, as published.
   * `millisecond`: the org clock's exact time, finer than any real payload (kinder; tests that need it say so).
   */
  operationTimes: "second" | "millisecond";
}

/** The answers Dataverse tries once more (use-webhooks.md); every other failure is final. */
const RETRIED_ONCE = new Set([502, 503, 504]);

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const settingsParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => name === "setting" });

/** `<settings><setting name="x" value="y" /></settings>` → { x: "y" } (HttpHeader / HttpQueryString auth values). */
function readSettings(xml: string): Record<string, string> {
  const parsed = settingsParser.parse(xml) as { settings?: { setting?: { name?: string; value?: string }[] } };
  const result: Record<string, string> = {};
  for (const setting of parsed.settings?.setting ?? []) if (setting.name) result[setting.name] = String(setting.value ?? "");
  return result;
}

export class WebhookDispatcher {
  readonly deliveries: WebhookDelivery[] = [];
  private inFlight = new Set<Promise<void>>();
  private closed = false;
  /** Deliveries so far: RequestId is set on every other one and null on the rest (both are seen). */
  private sent = 0;

  constructor(
    private readonly context: SandboxContext,
    private readonly faults: Faults,
    private readonly options: DispatcherOptions,
  ) {}

  private value(row: StoredRecord | undefined, column: string): unknown {
    return row?.values[column];
  }

  private lookupRow(row: StoredRecord, column: string): StoredRecord | undefined {
    const value = row.values[column];
    return isLookupValue(value) ? this.context.store.get(value.logicalName, value.id) : undefined;
  }

  /** Called for every write; schedules deliveries and returns at once (the steps are asynchronous). */
  handle(event: WriteEvent): void {
    if (this.closed) return;
    const { store } = this.context;
    for (const step of store.list(RegistrationTables.step.logicalName)) {
      if (this.value(step, "statecode") !== 0) continue;
      const message = this.lookupRow(step, "sdkmessageid");
      if (this.value(message, "name") !== event.message) continue;
      const filter = this.lookupRow(step, "sdkmessagefilterid");
      if (this.value(filter, "primaryobjecttypecode") !== event.table.logicalName) continue;
      const endpoint = this.lookupRow(step, "eventhandler");
      if (!endpoint || this.value(endpoint, "contract") !== ServiceEndpointContract.Webhook) continue;
      if (event.message === "Update" && !this.passesFilteringAttributes(step, event.requestedColumns)) continue;
      this.schedule(event, step, endpoint);
    }
  }

  private passesFilteringAttributes(step: StoredRecord, requestedColumns: string[]): boolean {
    const configured = this.value(step, "filteringattributes");
    if (typeof configured !== "string" || configured.trim() === "") return true;
    const filtering = new Set(configured.split(",").map((name) => name.trim().toLowerCase()));
    return requestedColumns.some((column) => filtering.has(column));
  }

  private images(step: StoredRecord): ImageRegistration[] {
    return this.context.store
      .list(RegistrationTables.stepImage.logicalName)
      .filter((image) => {
        const owner = image.values["sdkmessageprocessingstepid"];
        return isLookupValue(owner) && owner.id === step.id;
      })
      .map((image) => {
        const type = image.values["imagetype"];
        const attributes = typeof image.values["attributes"] === "string" ? image.values["attributes"] : "";
        return {
          alias: String(image.values["entityalias"] ?? image.values["name"] ?? "Image"),
          attributes: attributes.split(",").map((name) => name.trim()).filter(Boolean),
          pre: type === StepImageType.PreImage || type === StepImageType.Both,
          post: type === StepImageType.PostImage || type === StepImageType.Both,
        };
      });
  }

  private schedule(event: WriteEvent, step: StoredRecord, endpoint: StoredRecord): void {
    const settings = this.faults.current;
    const delivery: WebhookDelivery = {
      stepId: step.id,
      url: String(endpoint.values["url"] ?? ""),
      messageName: event.message,
      entityName: event.table.logicalName,
      entityId: event.record.id,
      attempts: 0,
      status: "failed",
    };
    if (this.faults.roll(settings.webhookDropRate)) {
      this.deliveries.push({ ...delivery, status: "dropped" });
      return;
    }
    const body = JSON.stringify(
      buildRemoteExecutionContext({
        context: this.context,
        event,
        stepId: step.id,
        images: this.images(step),
        correlationId: randomUUID(),
        operationCreatedOn: this.operationTime(event),
        requestId: this.sent++ % 2 === 0 ? randomUUID() : null,
      }),
    );
    const copies = this.faults.roll(settings.webhookDuplicateRate) ? 2 : 1;
    // A reordered delivery waits long enough for a later write's delivery to overtake it.
    const holdMs = this.faults.roll(settings.webhookReorderRate) ? 300 : 0;
    for (let copy = 0; copy < copies; copy += 1) {
      const record = { ...delivery };
      this.deliveries.push(record);
      const task = delay(holdMs).then(() => this.deliver(record, endpoint, event, body));
      this.inFlight.add(task);
      void task.finally(() => this.inFlight.delete(task));
    }
  }

  /** The write's own time: the row's modifiedon (whole seconds), as in every payload Microsoft published. */
  private operationTime(event: WriteEvent): number {
    if (this.options.operationTimes === "millisecond") return Date.now() + this.context.clock.offsetMs;
    const modifiedOn = Date.parse(String(event.record.values["modifiedon"] ?? ""));
    return Number.isFinite(modifiedOn) ? modifiedOn : this.context.clock.nowMs();
  }

  private target(endpoint: StoredRecord, event: WriteEvent): { url: string; headers: Record<string, string> } {
    const url = new URL(String(endpoint.values["url"]));
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-ms-dynamics-organization": new URL(this.context.orgUrl).host,
      "x-ms-dynamics-entity-name": event.table.logicalName,
      "x-ms-dynamics-request-name": event.message,
      "x-ms-correlation-request-id": randomUUID(),
    };
    const authType = endpoint.values["authtype"];
    const authValue = typeof endpoint.values["authvalue"] === "string" ? endpoint.values["authvalue"] : "";
    if (authType === ServiceEndpointAuthType.WebhookKey) url.searchParams.set("code", authValue);
    if (authType === ServiceEndpointAuthType.HttpHeader) Object.assign(headers, readSettings(authValue));
    if (authType === ServiceEndpointAuthType.HttpQueryString) {
      for (const [name, value] of Object.entries(readSettings(authValue))) url.searchParams.set(name, value);
    }
    return { url: url.toString(), headers };
  }

  private async deliver(delivery: WebhookDelivery, endpoint: StoredRecord, event: WriteEvent, body: string): Promise<void> {
    const { url, headers } = this.target(endpoint, event);
    const { rule, maxAttempts, retryDelayMs } = this.options;
    for (let attempt = 1; !this.closed; attempt += 1) {
      delivery.attempts = attempt;
      try {
        const response = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
        delivery.lastStatusCode = response.status;
        await response.arrayBuffer();
        if (response.ok) {
          delivery.status = "delivered";
          return;
        }
      } catch {
        delivery.lastStatusCode = undefined;
      }
      const retry = rule === "dataverse"
        ? attempt === 1 && delivery.lastStatusCode !== undefined && RETRIED_ONCE.has(delivery.lastStatusCode)
        : attempt < maxAttempts;
      if (!retry) break;
      await delay(rule === "dataverse" ? retryDelayMs : retryDelayMs * 2 ** (attempt - 1));
    }
    delivery.status = "failed";
  }

  /** Resolves when no delivery is pending (tests wait on it; close() uses it). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  setOperationTimes(precision: DispatcherOptions["operationTimes"]): void {
    this.options.operationTimes = precision;
  }

  reset(): void {
    this.deliveries.length = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }
}
