/**
 * Downloads the certificate a Partner Center delivery names (x-ms-certificate-url), bounded in every
 * way an attacker could stretch it: one deadline for the whole download (headers and body), a byte
 * cap checked against Content-Length and again while the body streams, and a budget of downloads per
 * minute for URLs never seen to work, so unsigned requests cannot make the service fetch on demand.
 *
 * Certificates that worked and URLs that failed are kept apart: an attacker's failing URLs never push
 * Partner Center's real certificate out, and a known-good URL is never refused for lack of budget (past
 * its freshness it is served while a fresh copy downloads). A failure is remembered for a minute, so
 * a bad URL is not fetched on every request. The URL itself was checked by the verifier first.
 */
import { X509Certificate } from "node:crypto";
import { LRUCache } from "lru-cache";

/** The signing certificate first, then any intermediates the file carried (a PEM bundle). */
export type FetchedCertificates = readonly [X509Certificate, ...X509Certificate[]];

export type CertificateFetcher = (url: URL) => Promise<FetchedCertificates>;

export interface CertificateFetcherOptions {
  fetch?: typeof fetch;
  /** One deadline for the whole download, body included. */
  deadlineMs?: number;
  /** Certificates are a few KB; anything larger is refused, and never read past this. */
  maxBytes?: number;
  /** After this long a certificate that worked is downloaded again (the stale copy serves meanwhile). */
  cacheTtlMs?: number;
  /** How long a failed download is remembered (and answered from memory). */
  failureTtlMs?: number;
  /** Distinct URLs kept, for those that worked and, apart, for those that failed. */
  cacheSize?: number;
  /** Downloads of URLs never seen to work, per minute at most; past it such a URL is refused. */
  downloadsPerMinute?: number;
}

export const CERTIFICATE_MAX_BYTES = 64 * 1024;

export class CertificateDownloadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CertificateDownloadError";
  }
}

export function createCertificateFetcher(options: CertificateFetcherOptions = {}): CertificateFetcher {
  const fetchImpl = options.fetch ?? fetch;
  const deadlineMs = options.deadlineMs ?? 8_000;
  const maxBytes = options.maxBytes ?? CERTIFICATE_MAX_BYTES;
  const freshForMs = options.cacheTtlMs ?? 6 * 60 * 60_000;
  const cacheSize = options.cacheSize ?? 16;
  const budget = new DownloadBudget(options.downloadsPerMinute ?? 10);
  const worked = new LRUCache<string, { certificates: FetchedCertificates; loadedAt: number }>({ max: cacheSize });
  const failed = new LRUCache<string, Promise<FetchedCertificates>>({ max: cacheSize * 16, ttl: options.failureTtlMs ?? 60_000 });
  const inFlight = new Map<string, Promise<FetchedCertificates>>();

  function download(url: URL): Promise<FetchedCertificates> {
    const key = url.href;
    const running = inFlight.get(key);
    if (running) return running;
    const downloading = downloadCertificates(fetchImpl, url, deadlineMs, maxBytes).then(
      (certificates) => {
        worked.set(key, { certificates, loadedAt: Date.now() });
        failed.delete(key);
        return certificates;
      },
      (error: unknown) => {
        const failure = Promise.reject(error);
        failure.catch(() => undefined);
        failed.set(key, failure);
        throw error;
      },
    );
    inFlight.set(key, downloading);
    void downloading.then(
      () => inFlight.delete(key),
      () => inFlight.delete(key),
    );
    return downloading;
  }

  return (url) => {
    const key = url.href;
    const known = worked.get(key);
    if (known) {
      // Past its freshness: a new copy is fetched in the background; the known one answers meanwhile.
      if (Date.now() - known.loadedAt >= freshForMs) download(url).catch(() => undefined);
      return Promise.resolve(known.certificates);
    }
    const failure = failed.get(key);
    if (failure) return failure;
    if (!inFlight.has(key) && !budget.take()) {
      return Promise.reject(new CertificateDownloadError("too many certificate downloads in the last minute; the delivery can be retried later"));
    }
    return download(url);
  };
}

async function downloadCertificates(fetchImpl: typeof fetch, url: URL, deadlineMs: number, maxBytes: number): Promise<FetchedCertificates> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new CertificateDownloadError(`no complete certificate within ${deadlineMs} ms`)), deadlineMs);
  try {
    const response = await fetchImpl(url, { redirect: "error", signal: controller.signal });
    if (!response.ok) throw new CertificateDownloadError(`HTTP ${response.status}`);
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > maxBytes) throw new CertificateDownloadError(`the certificate is ${declared} bytes, over the ${maxBytes}-byte limit`);
    return parseCertificates(await readAtMost(response, maxBytes));
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof CertificateDownloadError) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    // Whatever is left of the body (a refusal above) is dropped with the connection.
    controller.abort();
  }
}

async function readAtMost(response: Response, maxBytes: number): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new CertificateDownloadError(`the certificate is over the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Every certificate in PEM text, in order. */
export function pemCertificates(text: string): X509Certificate[] {
  return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem));
}

/** DER (a .cer as Azure serves it) or PEM, one certificate or a bundle with its intermediates. */
export function parseCertificates(bytes: Buffer): FetchedCertificates {
  const text = bytes.toString("latin1");
  if (!text.includes("-----BEGIN CERTIFICATE-----")) return [new X509Certificate(bytes)];
  const [first, ...rest] = pemCertificates(text);
  if (!first) throw new CertificateDownloadError("the certificate file holds no certificate");
  return [first, ...rest];
}

/** A sliding one-minute window of download starts. */
class DownloadBudget {
  private readonly starts: number[] = [];
  constructor(private readonly perMinute: number) {}

  take(now = Date.now()): boolean {
    while (this.starts.length > 0 && now - this.starts[0]! >= 60_000) this.starts.shift();
    if (this.starts.length >= this.perMinute) return false;
    this.starts.push(now);
    return true;
  }
}
