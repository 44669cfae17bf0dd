/**
 * Verifies a Partner Center webhook delivery (reference §2.5) as a pure function of the raw body
 * bytes, the request headers, a certificate fetcher and a policy. Nothing is parsed or trusted before
 * it passes; every failure has its own reason so the receiver can log it and answer 401.
 *
 * Steps, cheapest first so nothing is fetched for a request that fails on its headers: (1) the three
 * headers are present, the algorithm is rsa-sha256 and the signature is base64 of an RSA signature's
 * length; (2) the certificate URL has the form Partner Center uses (https on 443, an allow-listed
 * host, `/cert/<name>.cer`, nothing else; or, only when configured, the sandbox's own exact URL on
 * 127.0.0.1); (3) the certificate is fetched (certificate-fetcher.ts bounds that); (4) it is within
 * its validity dates; (5) its issuer's organization is Microsoft's (documented: "issuer contains
 * O=Microsoft Corporation"); (6) it chains, through the intermediates its file carried or the policy
 * knows, to a trust anchor (Node's bundled root store unless the policy names its own); (7) RSA-SHA256
 * with PKCS#1 v1.5 over the raw bytes verifies.
 *
 * The host allow-list and path form are community hardening, not Microsoft's doc [3P]; the documented
 * production certificate URL is https://3psostorageacct.blob.core.windows.net/cert/<name>.cer.
 */
import { X509Certificate, constants, verify } from "node:crypto";
import { rootCertificates } from "node:tls";
import type { CertificateFetcher } from "./certificate-fetcher";

export { createCertificateFetcher, type CertificateFetcher, type CertificateFetcherOptions } from "./certificate-fetcher";

export const PRODUCTION_CERTIFICATE_HOSTS = ["3psostorageacct.blob.core.windows.net"] as const;
/**
 * Where a certificate's "CA Issuers" address (AIA) may lead when its file carries no intermediates:
 * Microsoft's and DigiCert's certificate stores, as Windows' chain engine (the documented .NET sample's
 * X509Chain) would fetch them. The issuer found there must still verify, so plain http is acceptable.
 */
export const PRODUCTION_ISSUER_HOSTS = ["www.microsoft.com", "cacerts.digicert.com"] as const;
export const MICROSOFT_ORGANIZATION = "Microsoft Corporation";
/** The path form of Partner Center's certificate URLs (e.g. /cert/pcnotifications-dispatch.microsoft.com.cer). */
const CERTIFICATE_PATH_FORM = /^\/cert\/[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.cer$/;
/** RSA-2048, -3072 and -4096 signatures, in bytes. */
const RSA_SIGNATURE_LENGTHS = new Set([256, 384, 512]);
const MAX_CHAIN_LENGTH = 5;

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
  | "certificate-issuer-mismatch"
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
  /** The organization (O=) the certificate's issuer must name. */
  expectedIssuerOrganization: string;
  /** Where the chain must end. Unset: the public roots bundled with Node.js (tls.rootCertificates). */
  trustAnchors?: readonly X509Certificate[];
  /** Intermediate CAs known beforehand, besides any the certificate file carries. */
  intermediates?: readonly X509Certificate[];
  /** Hosts a certificate's AIA "CA Issuers" address may point at to fetch a missing intermediate. */
  allowedIssuerHosts?: readonly string[];
}

export function productionVerificationPolicy(overrides: Partial<WebhookVerificationPolicy> = {}): WebhookVerificationPolicy {
  return {
    allowedCertificateHosts: PRODUCTION_CERTIFICATE_HOSTS,
    allowedIssuerHosts: PRODUCTION_ISSUER_HOSTS,
    expectedIssuerOrganization: MICROSOFT_ORGANIZATION,
    ...overrides,
  };
}

/** Headers as Node gives them (lower-case keys) or as a fetch Headers object. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

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

function fail(reason: WebhookVerificationReason, detail: string): { ok: false; reason: WebhookVerificationReason; detail: string } {
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
  if (url.search || url.hash) return { problem: "certificate URL must not carry a query or fragment" };
  if (url.port !== "") return { problem: `certificate URL must use port 443, not ${url.port}` };
  if (!policy.allowedCertificateHosts.includes(url.hostname.toLowerCase())) {
    return { problem: `certificate host ${url.hostname} is not on the allow-list (${policy.allowedCertificateHosts.join(", ")})` };
  }
  if (!CERTIFICATE_PATH_FORM.test(url.pathname)) return { problem: `certificate URL path must have the form /cert/<name>.cer, not ${url.pathname}` };
  return { url };
}

function organizationOf(distinguishedName: string): string | undefined {
  // X509Certificate.subject and .issuer are one "KEY=value" per line.
  return distinguishedName
    .split("\n")
    .map((line) => /^O=(.*)$/.exec(line.trim())?.[1])
    .find((value) => value !== undefined);
}

export type ScreenedHeaders = { ok: true; signature: Buffer; certificateUrl: URL } | { ok: false; reason: WebhookVerificationReason; detail: string };

/**
 * Steps (1) and (2): everything that can be checked from the headers alone, so a request that fails
 * them is refused before its body is read and before anything is fetched.
 */
export function screenDeliveryHeaders(headers: WebhookHeaders, policy: WebhookVerificationPolicy): ScreenedHeaders {
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
  if (!RSA_SIGNATURE_LENGTHS.has(signature.length)) return fail("malformed-signature", `a ${signature.length}-byte signature is not an RSA-SHA256 signature`);

  const allowed = checkCertificateUrl(certificateUrlHeader, policy);
  if ("problem" in allowed) return fail("certificate-url-not-allowed", allowed.problem);
  return { ok: true, signature, certificateUrl: allowed.url };
}

export async function verifyWebhookSignature(input: VerifyWebhookInput): Promise<WebhookVerificationResult> {
  const { policy } = input;
  const now = input.now ?? new Date();
  const screened = screenDeliveryHeaders(input.headers, policy);
  if (!screened.ok) return screened;
  const { signature, certificateUrl } = screened;

  let certificate: X509Certificate;
  let carried: readonly X509Certificate[];
  try {
    [certificate, ...carried] = await input.fetchCertificate(certificateUrl);
  } catch (error) {
    return fail("certificate-unavailable", `could not load ${certificateUrl.href}: ${error instanceof Error ? error.message : String(error)}`);
  }

  const dates = validityProblem(certificate, now);
  if (dates) return dates;

  const issuerOrganization = organizationOf(certificate.issuer);
  if (issuerOrganization !== policy.expectedIssuerOrganization) {
    return fail("certificate-issuer-mismatch", `certificate issuer organization is ${issuerOrganization ?? "(none)"}, expected ${policy.expectedIssuerOrganization}`);
  }

  const chain = await chainProblem(certificate, {
    intermediates: [...carried, ...(policy.intermediates ?? [])],
    anchors: policy.trustAnchors ?? publicRoots(),
    locateIssuer: (current) => fetchIssuerByAia(current, policy, input.fetchCertificate),
    now,
  });
  if (chain) return chain;

  if (certificate.publicKey.asymmetricKeyType !== "rsa") return fail("signature-mismatch", "certificate key is not RSA");
  const valid = verify("sha256", input.rawBody, { key: certificate.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
  if (!valid) return fail("signature-mismatch", "the signature does not match the body and certificate");
  return { ok: true, certificate };
}

function validityProblem(certificate: X509Certificate, now: Date): WebhookVerificationResult | null {
  const what = certificate.ca ? `issuing certificate ${certificate.subject.replace(/\n/g, ", ")}` : "certificate";
  if (now.getTime() < Date.parse(certificate.validFrom)) return fail("certificate-not-yet-valid", `${what} is valid from ${certificate.validFrom}`);
  if (now.getTime() > Date.parse(certificate.validTo)) return fail("certificate-expired", `${what} expired ${certificate.validTo}`);
  return null;
}

function issuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
}

interface ChainContext {
  intermediates: readonly X509Certificate[];
  anchors: readonly X509Certificate[];
  locateIssuer: (certificate: X509Certificate) => Promise<X509Certificate | null>;
  now: Date;
}

/**
 * Walks from the signing certificate up through CA certificates until one is issued by a trust
 * anchor. A self-signed certificate that is not itself an anchor never gets there.
 */
async function chainProblem(leaf: X509Certificate, context: ChainContext): Promise<WebhookVerificationResult | null> {
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth++) {
    const anchor = context.anchors.find((candidate) => issuedBy(current, candidate));
    if (anchor) return validityProblem(anchor, context.now);
    const isNext = (candidate: X509Certificate | null): candidate is X509Certificate =>
      candidate !== null && candidate.ca && candidate.fingerprint256 !== current.fingerprint256 && issuedBy(current, candidate);
    let next: X509Certificate | null | undefined = context.intermediates.find(isNext);
    if (!next) {
      const located = await context.locateIssuer(current);
      next = isNext(located) ? located : null;
    }
    if (!next) {
      const issuer = current.issuer.replace(/\n/g, ", ");
      return fail("certificate-untrusted", `no trusted chain: nothing known issued ${current === leaf ? "the certificate" : "an intermediate"} (issuer ${issuer})`);
    }
    const dates = validityProblem(next, context.now);
    if (dates) return dates;
    current = next;
  }
  return fail("certificate-untrusted", `no trusted chain within ${MAX_CHAIN_LENGTH} certificates`);
}

/** The issuer named by the certificate's AIA "CA Issuers" address, when that address is on an allowed host. */
async function fetchIssuerByAia(certificate: X509Certificate, policy: WebhookVerificationPolicy, fetchCertificate: CertificateFetcher): Promise<X509Certificate | null> {
  const allowedHosts = policy.allowedIssuerHosts ?? [];
  if (allowedHosts.length === 0) return null;
  const addresses = (certificate.infoAccess ?? "")
    .split("\n")
    .map((line) => /^CA Issuers - URI:(.+)$/.exec(line.trim())?.[1])
    .filter((value): value is string => value !== undefined);
  for (const address of addresses) {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      continue;
    }
    const plainAddress = (url.protocol === "http:" || url.protocol === "https:") && !url.username && !url.password && !url.search && url.port === "";
    if (!plainAddress || !allowedHosts.includes(url.hostname.toLowerCase())) continue;
    try {
      const [issuer] = await fetchCertificate(url);
      return issuer;
    } catch {
      continue;
    }
  }
  return null;
}

let parsedRoots: X509Certificate[] | null = null;
/** The public root CAs bundled with Node.js (Mozilla's list), parsed once. */
export function publicRoots(): X509Certificate[] {
  parsedRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return parsedRoots;
}
