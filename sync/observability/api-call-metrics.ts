/**
 * Counts and times every call the service makes to Dataverse and Partner Center, for /metrics.
 * Node's fetch (undici) publishes each request on diagnostics channels, so both clients are
 * measured without wrapping them; requests to any other origin (webhook targets, certificate
 * downloads) are ignored.
 */
import diagnostics from "node:diagnostics_channel";
import type { SyncMetrics } from "./metrics";

interface UndiciRequest {
  origin: string;
  method: string;
}

export interface ApiTargets {
  dataverse: string;
  partnerCenter: readonly string[];
}

/** Starts measuring; returns the function that stops it. */
export function measureApiCalls(metrics: SyncMetrics, targets: ApiTargets): () => void {
  const originOf = (url: string) => new URL(url).origin;
  const dataverse = originOf(targets.dataverse);
  const partnerCenter = new Set(targets.partnerCenter.map(originOf));
  const started = new WeakMap<object, { target: string; stop: () => void }>();
  const targetOf = (request: UndiciRequest) =>
    request.origin === dataverse ? "dataverse" : partnerCenter.has(request.origin) ? "partner-center" : null;

  const onCreate = (message: unknown) => {
    const { request } = message as { request: UndiciRequest };
    const target = targetOf(request);
    if (target) started.set(request, { target, stop: metrics.apiLatency.startTimer({ target }) });
  };
  const onHeaders = (message: unknown) => {
    const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
    const call = started.get(request);
    if (!call) return;
    started.delete(request);
    call.stop();
    metrics.apiCalls.inc({ target: call.target, method: request.method, status: `${Math.floor(response.statusCode / 100)}xx` });
  };
  const onError = (message: unknown) => {
    const { request } = message as { request: UndiciRequest };
    const call = started.get(request);
    if (!call) return;
    started.delete(request);
    call.stop();
    metrics.apiCalls.inc({ target: call.target, method: request.method, status: "error" });
  };
  diagnostics.subscribe("undici:request:create", onCreate);
  diagnostics.subscribe("undici:request:headers", onHeaders);
  diagnostics.subscribe("undici:request:error", onError);
  return () => {
    diagnostics.unsubscribe("undici:request:create", onCreate);
    diagnostics.unsubscribe("undici:request:headers", onHeaders);
    diagnostics.unsubscribe("undici:request:error", onError);
  };
}
