/**
 * Starts the Dataverse sandbox on 127.0.0.1 (port 0 by default): a stand-in org whose Web API is at
 * `${url}/api/data/v9.2`. Returns the org URL, the live fault settings and counters, and helpers
 * tests need (reset to a new org, wait until webhook deliveries are done, the delivery log).
 */
import type { FastifyInstance } from "fastify";
import { CallCounters, Faults, type FaultSettings } from "../shared/fault-injection";
import { buildDataverseApp } from "./dataverse-app";
import { EntityStore } from "./entity-store";
import { installMicrosoftConnector, registerFlowTriggerRoute, type MicrosoftConnectorInstallOptions } from "./microsoft-connector-install";
import { RecordOperations } from "./record-operations";
import type { SandboxContext } from "./sandbox-context";
import { API_PATH } from "./sandbox-context";
import { SandboxClock } from "./sandbox-clock";
import { SchemaRegistry } from "./schema-registry";
import { SecurityRegistry, SYSTEM_ADMINISTRATOR } from "./security";
import { DOCUMENTED_LIMITS, ServiceProtection, type ServiceProtectionLimits } from "./service-protection";
import { SequentialGuidMinter } from "./sequential-guid";
import { seedData } from "./seed-data";
import { WebhookDispatcher, type DeliveryRule, type WebhookDelivery } from "./webhook-dispatcher";

export interface DataverseSandboxOptions {
  port?: number;
  host?: string;
  faults?: Partial<FaultSettings>;
  /** Id of the calling system user (the backend's application user); minted if not given. */
  callerId?: string;
  /**
   * `dataverse` (default): Dataverse's own rule, one retry after 502/503/504 and nothing else.
   * `redeliver`: retries any failure with backoff (kinder than a real org; for comparisons only).
   */
  webhookDelivery?: DeliveryRule;
  /** Under `redeliver`: attempts per delivery. Under both: the delay before a retry. */
  webhookMaxAttempts?: number;
  webhookRetryDelayMs?: number;
  logger?: boolean;
  /** Start as an org with Microsoft's co-sell connector installed (microsoft-connector-install.ts). */
  microsoftConnector?: boolean | MicrosoftConnectorInstallOptions;
  /** The calling user's UI language (metadata labels come back in it when translated); default 1033. */
  languageCode?: number;
  /** How far the org's clock is ahead of (or, negative, behind) this machine's, in milliseconds. */
  clockOffsetMs?: number;
  /**
   * What each bearer token signs in as: its user id (minted if not given) and security roles.
   * A token not listed signs in as the application user (callerId) with `defaultRoles`.
   */
  identities?: Record<string, { userId?: string; roles: string[] }>;
  /** Roles of tokens not listed in `identities` (default: System Administrator). */
  defaultRoles?: string[];
  /** Service protection limits per user: the documented ones by default; `false` turns them off. */
  serviceProtection?: Partial<ServiceProtectionLimits> | false;
  /**
   * Tokens the limits are not applied to: a benchmark's harness, which stands for many sellers (or
   * for nobody, while it watches for a sync to land) and must not spend a quota the service is measured under.
   */
  unlimitedTokens?: readonly string[];
}

export interface DataverseSandbox {
  /** Org URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** `${url}/api/data/v9.2` */
  apiUrl: string;
  callerId: string;
  faults: Faults;
  counters: CallCounters;
  app: FastifyInstance;
  /** Back to a new org: seed rows only, no pcc_ columns, no steps, no deliveries. */
  reset(): void;
  /**
   * Kinder than a real org: webhooks' OperationCreatedOn to the millisecond instead of whole seconds.
   * Only for tests that say why they need it; off by default.
   */
  setMillisecondOperationTimes(on: boolean): void;
  /** Declares (or changes) what a bearer token signs in as: its security roles. */
  assignRoles(token: string, roles: string[]): void;
  /** Moves the org's clock forward (tests: a delta token grows old without waiting days). */
  advanceClock(ms: number): void;
  /** Resolves when every scheduled webhook delivery has finished (delivered or given up). */
  webhooksIdle(): Promise<void>;
  webhookDeliveries(): readonly WebhookDelivery[];
  close(): Promise<void>;
}

export async function startDataverseSandbox(options: DataverseSandboxOptions = {}): Promise<DataverseSandbox> {
  const clock = new SandboxClock(options.clockOffsetMs ?? 0);
  const ids = new SequentialGuidMinter(() => clock.nowMs());
  const context: SandboxContext = {
    schema: new SchemaRegistry(),
    store: new EntityStore(),
    orgUrl: "",
    callerId: (options.callerId ?? ids.mint()).toLowerCase(),
    organizationId: ids.mint(),
    organizationName: "sandbox",
    businessUnitId: ids.mint(),
    ...(options.languageCode === undefined ? {} : { languageCode: options.languageCode }),
    clock,
    ids,
    security: new SecurityRegistry("", []),
  };
  const newSecurity = () => {
    const security = new SecurityRegistry(context.callerId, options.defaultRoles ?? [SYSTEM_ADMINISTRATOR]);
    for (const [token, identity] of Object.entries(options.identities ?? {})) {
      security.assign(token, { userId: (identity.userId ?? ids.mint()).toLowerCase(), roles: identity.roles });
    }
    return security;
  };
  context.security = newSecurity();
  const faults = new Faults(options.faults);
  const counters = new CallCounters();
  const protection = options.serviceProtection === false ? undefined : new ServiceProtection({ ...DOCUMENTED_LIMITS, ...options.serviceProtection });
  const dispatcher = new WebhookDispatcher(context, faults, {
    rule: options.webhookDelivery ?? "dataverse",
    maxAttempts: options.webhookMaxAttempts ?? 5,
    retryDelayMs: options.webhookRetryDelayMs ?? 200,
    operationTimes: "second",
  });
  let baseCurrencyId = "";
  const operations = new RecordOperations(context, () => baseCurrencyId);
  operations.onWrite((event) => dispatcher.handle(event));

  const reset = () => {
    context.schema = new SchemaRegistry();
    context.store = new EntityStore();
    context.security = newSecurity();
    dispatcher.reset();
    counters.reset();
    protection?.reset();
    baseCurrencyId = seedData(context, operations).baseCurrencyId;
    if (options.microsoftConnector) installMicrosoftConnector(context, operations, options.microsoftConnector === true ? {} : options.microsoftConnector);
  };
  reset();

  const app = buildDataverseApp({
    protection,
    unlimitedTokens: options.unlimitedTokens,
    deps: { context, operations },
    faults,
    counters,
    reset,
    deliveries: () => dispatcher.deliveries,
    logger: options.logger,
  });
  if (options.microsoftConnector) registerFlowTriggerRoute(app, context);
  await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("Dataverse sandbox did not get a TCP address");
  context.orgUrl = `http://${options.host ?? "127.0.0.1"}:${address.port}`;

  return {
    url: context.orgUrl,
    apiUrl: `${context.orgUrl}${API_PATH}`,
    callerId: context.callerId,
    faults,
    counters,
    app,
    reset,
    advanceClock: (ms) => clock.advance(ms),
    assignRoles: (token, roles) => context.security.assign(token, { userId: context.security.identityOf(token).userId, roles }),
    setMillisecondOperationTimes: (on) => dispatcher.setOperationTimes(on ? "millisecond" : "second"),
    webhooksIdle: () => dispatcher.idle(),
    webhookDeliveries: () => dispatcher.deliveries,
    close: async () => {
      await dispatcher.close();
      await app.close();
    },
  };
}
