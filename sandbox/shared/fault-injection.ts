/**
 * Fault injection and call counters shared by the Dataverse and Partner Center sandboxes.
 *
 * Both sandboxes register `installFaultInjection(app, faults)` on their fastify instance. Faults are
 * decided per request, before the route runs, so a faulted request never changes sandbox state
 * (as with the real services' throttling and transient errors). The control surface lives under
 * `/_sandbox/` so it never collides with a documented path:
 *   GET  /_sandbox/faults      current fault settings
 *   PUT  /_sandbox/faults      replace settings (JSON body, partial: missing keys fall back to 0)
 *   GET  /_sandbox/counters    calls per "METHOD /route/pattern" since the last reset
 *   POST /_sandbox/counters/reset
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";

export const FaultSettingsSchema = z
  .object({
    /** Added latency on every API call, in milliseconds. */
    latencyMs: z.number().min(0).max(60_000).default(0),
    /** Share of API calls answered 503 (0..1). */
    serverErrorRate: z.number().min(0).max(1).default(0),
    /** Share of API calls answered 429 with Retry-After (0..1). */
    throttleRate: z.number().min(0).max(1).default(0),
    /** Retry-After value sent with a 429, in seconds. */
    retryAfterSeconds: z.number().int().min(0).max(300).default(1),
    /** Share of conditional writes (If-Match with an etag) answered 412 as if someone wrote first. */
    preconditionRaceRate: z.number().min(0).max(1).default(0),
    /** Webhook delivery faults (used by the sandbox that sends webhooks). */
    webhookDuplicateRate: z.number().min(0).max(1).default(0),
    webhookDropRate: z.number().min(0).max(1).default(0),
    webhookReorderRate: z.number().min(0).max(1).default(0),
  })
  .strict();
export type FaultSettings = z.infer<typeof FaultSettingsSchema>;

export const NO_FAULTS: FaultSettings = FaultSettingsSchema.parse({});

/** Holds the live settings and the random source, so tests can pin both. */
export class Faults {
  private settings: FaultSettings;
  constructor(initial: Partial<FaultSettings> = {}, private readonly random: () => number = Math.random) {
    this.settings = FaultSettingsSchema.parse(initial);
  }
  get current(): FaultSettings {
    return this.settings;
  }
  set(next: Partial<FaultSettings>): FaultSettings {
    this.settings = FaultSettingsSchema.parse(next);
    return this.settings;
  }
  /** True with the given probability. */
  roll(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }
}

/** Calls per endpoint ("GET /v1.0/engagements/referrals/:id"), for benchmarks and tests. */
export class CallCounters {
  private counts = new Map<string, number>();
  increment(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
  reset(): void {
    this.counts.clear();
  }
}

export interface FaultInjectionOptions {
  faults: Faults;
  counters: CallCounters;
  /** Only paths under these prefixes are counted and faulted (the documented API surface). */
  apiPrefixes: readonly string[];
  /** Writes the service-specific error body for an injected status. */
  sendError: (reply: FastifyReply, status: 412 | 429 | 503, retryAfterSeconds?: number) => FastifyReply;
}

/**
 * The route a call counts under: its route pattern, or for a catch-all route (tables created by an
 * imported solution) the entity set or function it reached, so a reader can tell the tables apart.
 */
function counterRoute(request: FastifyRequest): string {
  const route = request.routeOptions.url ?? request.url.split("?")[0]!;
  if (!route.endsWith("/*")) return route;
  const rest = request.url.slice(route.length - 1).split("?")[0]!;
  const name = rest.split(/[/(]/)[0]!;
  return `${route.slice(0, -1)}${name}${rest.startsWith(`${name}(`) ? "(:key)" : ""}`;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function installFaultInjection(app: FastifyInstance, options: FaultInjectionOptions): void {
  const { faults, counters, apiPrefixes, sendError } = options;
  const isApi = (url: string) => apiPrefixes.some((prefix) => url.startsWith(prefix));

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isApi(request.url)) return;
    counters.increment(`${request.method} ${counterRoute(request)}`);
    const settings = faults.current;
    if (settings.latencyMs > 0) await delay(settings.latencyMs);
    if (faults.roll(settings.serverErrorRate)) return sendError(reply, 503);
    if (faults.roll(settings.throttleRate)) return sendError(reply, 429, settings.retryAfterSeconds);
    const conditionalWrite = request.method !== "GET" && typeof request.headers["if-match"] === "string" && request.headers["if-match"] !== "*";
    if (conditionalWrite && faults.roll(settings.preconditionRaceRate)) return sendError(reply, 412);
    return undefined;
  });

  app.get("/_sandbox/faults", async () => faults.current);
  app.put("/_sandbox/faults", async (request, reply) => {
    const parsed = FaultSettingsSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      return reply.code(400).send({ error: "invalid fault settings", issues: parsed.error.issues });
    }
    return faults.set(parsed.data);
  });
  app.get("/_sandbox/counters", async () => counters.snapshot());
  app.post("/_sandbox/counters/reset", async () => {
    counters.reset();
    return { reset: true };
  });
}
