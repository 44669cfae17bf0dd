/**
 * Verifies a Partner Center webhook delivery (reference §2.5) as a pure function of the raw body
 * bytes, the request headers, a certificate fetcher and a policy. Nothing is parsed or trusted before
 * it passes; every failure has its own reason so the receiver can log it and answer 401.
 *
 * Steps: (1) the three headers are present and the algorithm is rsa-sha256; (2) the certificate URL is
 * allowed (https, an allow-listed host, no credentials or query; or, only when configured, the
 * sandbox's own URL on 127.0.0.1); (3) the certificate is fetched (cached per URL); (4) it is within its
 * validity dates, (5) its subject organization is the expected one, (6) it chains to a trusted issuer
 * when issuers are configured; (7) RSA-SHA256 with PKCS#1 v1.5 over the raw bytes verifies.
 *
 * The host allow-list is community hardening, not Microsoft's doc [3P]; the documented production
 * certificate host is 3psostorageacct.blob.core.windows.net.
 */
import { X509Certificate, constants, verify } from "node:crypto";

export const PRODUCTION_CERTIFICATE_HOSTS = ["3psostorageacct.blob.core.windows.net"] as const;
export const MICROSOFT_ORGANIZATION = "Microsoft Corporation";

export type WebhookVerificationReason =
  | "missing-signature"
  | "missing-certificate-url"
  | "missing-signature-algorithm"
  | "unsupported-signature-algorithm"
  | "malformed-signature"
  | "certificate-url-not-allowed"
  | "certificate-unavailable"
  | "certificate-not-yet-valid"
  | "certificate-expired"
  | "certificate-subject-mismatch"
  | "certificate-untrusted"
  | "signature-mismatch";

export type WebhookVerificationResult =
  | { ok: true; certificate: X509Certificate }
  | { ok: false; reason: WebhookVerificationReason; detail: string };

export interface WebhookVerificationPolicy {
  /** Hosts an https certificate URL may point at. */
  allowedCertificateHosts: readonly string[];
  /**
   * The sandbox's own certificate URL (plain http on 127.0.0.1 is allowed for it, and only for it).
   * Leave unset in production.
   */
  sandboxCertificateUrl?: string;
  /** Required subject organization (O=). */
  expectedOrganization: string;
  /**
   * Certificates the signing certificate must be issued by (or be). Unset: no chain check, because the
   * Microsoft intermediate/root set is not bundled here; configure it in production when available.
   */
  trustedIssuers?: readonly X509Certificate[];
}

export function productionVerificationPolicy(overrides: Partial<WebhookVerificationPolicy> = {}): WebhookVerificationPolicy {
  return { allowedCertificateHosts: PRODUCTION_CERTIFICATE_HOSTS, expectedOrganization: MICROSOFT_ORGANIZATION, ...overrides };
}

/** Headers as Node gives them (lower-case keys) or as a fetch Headers object. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export type CertificateFetcher = (url: URL) => Promise<X509Certificate>;

export interface VerifyWebhookInput {
  rawBody: Buffer | Uint8Array;
  headers: WebhookHeaders;
  fetchCertificate: CertificateFetcher;
  policy: WebhookVerificationPolicy;
  now?: Date;
}

function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

function fail(reason: WebhookVerificationReason, detail: string): WebhookVerificationResult {
  return { ok: false, reason, detail };
}

/** Checks the certificate URL against the policy; returns a reason when it is not allowed. */
export function checkCertificateUrl(raw: string, policy: WebhookVerificationPolicy): { url: URL } | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: `x-ms-certificate-url is not a URL: ${raw}` };
  }
  if (policy.sandboxCertificateUrl && raw === policy.sandboxCertificateUrl) {
    // The sandbox exception is exact and loopback-only, so configuring it cannot open a path to
    // a certificate anywhere else.
    if (url.hostname !== "127.0.0.1") return { problem: `the sandbox certificate URL must be on 127.0.0.1, not ${url.hostname}` };
    return { url };
  }
  if (url.protocol !== "https:") return { problem: `certificate URL must use https: ${raw}` };
  if (url.username || url.password) return { problem: "certificate URL must not carry credentials" };
  if (url.search) return { problem: "certificate URL must not carry a query" };
  if (!policy.allowedCertificateHosts.includes(url.hostname.toLowerCase())) {
    return { problem: `certificate host ${url.hostname} is not on the allow-list (${policy.allowedCertificateHosts.join(", ")})` };
  }
  return { url };
}

function organizationOf(certificate: X509Certificate): string | undefined {
  // X509Certificate.subject is one "KEY=value" per line.
  return certificate.subject
    .split("\n")
    .map((line) => /^O=(.*)$/.exec(line.trim())?.[1])
    .find((value) => value !== undefined);
}

export async function verifyWebhookSignature(input: VerifyWebhookInput): Promise<WebhookVerificationResult> {
  const { headers, policy } = input;
  const now = input.now ?? new Date();

  // With SignatureTokenToMsSignatureHeader the value moves to x-ms-signature (§2.5).
  const signatureHeader = [headerValue(headers, "x-ms-signature"), headerValue(headers, "authorization")].find((value) =>
    value?.trim().toLowerCase().startsWith("signature "),
  );
  if (!signatureHeader) return fail("missing-signature", "neither Authorization nor x-ms-signature carries 'Signature <base64>'");
  const certificateUrlHeader = headerValue(headers, "x-ms-certificate-url");
  if (!certificateUrlHeader) return fail("missing-certificate-url", "x-ms-certificate-url header is missing");
  const algorithm = headerValue(headers, "x-ms-signature-algorithm");
  if (!algorithm) return fail("missing-signature-algorithm", "x-ms-signature-algorithm header is missing");
  if (algorithm.trim().toLowerCase() !== "rsa-sha256") return fail("unsupported-signature-algorithm", `algorithm ${algorithm} is not rsa-sha256`);

  const encoded = signatureHeader.trim().slice("signature ".length).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return fail("malformed-signature", "the signature is not base64");
  const signature = Buffer.from(encoded, "base64");

  const allowed = checkCertificateUrl(certificateUrlHeader, policy);
  if ("problem" in allowed) return fail("certificate-url-not-allowed", allowed.problem);

  let certificate: X509Certificate;
  try {
    certificate = await input.fetchCertificate(allowed.url);
  } catch (error) {
    return fail("certificate-unavailable", `could not load ${allowed.url.href}: ${error instanceof Error ? error.message : String(error)}`);
  }

  if (now.getTime() < Date.parse(certificate.validFrom)) return fail("certificate-not-yet-valid", `certificate is valid from ${certificate.validFrom}`);
  if (now.getTime() > Date.parse(certificate.validTo)) return fail("certificate-expired", `certificate expired ${certificate.validTo}`);

  const organization = organizationOf(certificate);
  if (organization !== policy.expectedOrganization) {
    return fail("certificate-subject-mismatch", `certificate organization is ${organization ?? "(none)"}, expected ${policy.expectedOrganization}`);
  }

  if (policy.trustedIssuers && policy.trustedIssuers.length > 0) {
    const trusted = policy.trustedIssuers.some(
      (issuer) => issuer.fingerprint256 === certificate.fingerprint256 || (certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey)),
    );
    if (!trusted) return fail("certificate-untrusted", "certificate is not issued by a trusted issuer");
  }

  if (certificate.publicKey.asymmetricKeyType !== "rsa") return fail("signature-mismatch", "certificate key is not RSA");
  const valid = verify("sha256", input.rawBody, { key: certificate.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
  if (!valid) return fail("signature-mismatch", "the signature does not match the body and certificate");
  return { ok: true, certificate };
}

export interface CertificateFetcherOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Certificates are small; refuse anything larger. */
  maxBytes?: number;
  /** How long a fetched certificate is reused. */
  cacheTtlMs?: number;
}

/**
 * Downloads certificates over HTTP (no redirects, 15 s timeout) and caches them per URL, so a burst
 * of deliveries costs one download. A failed download is not cached.
 */
export function createCertificateFetcher(options: CertificateFetcherOptions = {}): CertificateFetcher {
  const fetchImpl = options.fetch ?? fetch;
  const ttl = options.cacheTtlMs ?? 6 * 60 * 60_000;
  const cache = new Map<string, { loaded: number; certificate: Promise<X509Certificate> }>();
  return (url) => {
    const key = url.href;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.loaded < ttl) return hit.certificate;
    const certificate = (async () => {
      const response = await fetchImpl(url, { redirect: "error", signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > (options.maxBytes ?? 64 * 1024)) throw new Error(`certificate is ${bytes.length} bytes, too large`);
      // Accepts DER (.cer as Azure serves it) or PEM.
      return new X509Certificate(bytes);
    })();
    cache.set(key, { loaded: Date.now(), certificate });
    certificate.catch(() => cache.delete(key));
    return certificate;
  };
}
