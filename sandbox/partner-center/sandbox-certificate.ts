/**
 * The sandbox's webhook signing chain, mirroring Partner Center's: a certificate authority of the
 * sandbox's own issues the signing certificate, so a receiver checks the issuer's organization and the
 * chain exactly as it does for Microsoft's (partner-center-webhooks: "validate the chain", issuer
 * `O=Microsoft Corporation`), with the sandbox CA as its trust anchor instead of a public root.
 *
 * node:crypto makes RSA keys but cannot issue X.509 certificates, so they are made once per start with
 * the `openssl` command line (present on every Debian/Ubuntu machine and in CI) instead of adding a
 * certificate library. Nothing is written outside a temporary folder that is removed straight away.
 */
import { execFile } from "node:child_process";
import { X509Certificate, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Organization of the sandbox CA, so the signing certificate's issuer names it; the verifier expects it in sandbox mode. */
export const SANDBOX_CERTIFICATE_ORGANIZATION = "Partner Center Sandbox";
/** Mirrors the real certificate's CN (pcnotifications-dispatch.microsoft.com, inferred from its file name). */
export const SANDBOX_CERTIFICATE_COMMON_NAME = "pcnotifications-dispatch.sandbox.localhost";

export interface CertificateAuthority {
  privateKey: KeyObject;
  certificate: X509Certificate;
}

export interface SigningIdentity {
  privateKey: KeyObject;
  /** The signing (leaf) certificate. */
  certificate: X509Certificate;
  /** DER bytes of the leaf, served as the .cer file (the real URL ends in .cer) [I]. */
  certificateDer: Buffer;
  /** The CA that issued it: the receiver's trust anchor. Self-signed identities have none. */
  authority: X509Certificate | null;
}

export interface SigningIdentityOptions {
  /** The CA's organization (and so the leaf's issuer organization). */
  organization?: string;
  commonName?: string;
  days?: number;
  /** An existing CA to issue from (tests make a second leaf of one CA). */
  authority?: CertificateAuthority;
}

export class CertificateToolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CertificateToolError";
  }
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run("openssl", args);
  } catch (cause) {
    throw new CertificateToolError("The Partner Center sandbox needs the `openssl` command to make its webhook signing certificates; install openssl", { cause });
  }
}

async function inTemporaryFolder<T>(work: (folder: string) => Promise<T>): Promise<T> {
  const folder = await mkdtemp(join(tmpdir(), "pc-sandbox-cert-"));
  try {
    return await work(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function writeKey(folder: string, key: KeyObject): Promise<string> {
  const file = join(folder, `${Math.random().toString(36).slice(2)}.key.pem`);
  await writeFile(file, key.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  return file;
}

/** A self-signed CA certificate (basicConstraints CA:TRUE). */
export async function createCertificateAuthority(options: { organization?: string; days?: number } = {}): Promise<CertificateAuthority> {
  const organization = options.organization ?? SANDBOX_CERTIFICATE_ORGANIZATION;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return inTemporaryFolder(async (folder) => {
    const certFile = join(folder, "ca.pem");
    await openssl([
      "req", "-new", "-x509", "-sha256", "-key", await writeKey(folder, privateKey), "-out", certFile,
      "-days", String(options.days ?? 60),
      "-subj", `/C=US/O=${organization}/CN=${organization} Issuing CA`,
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    return { privateKey, certificate: new X509Certificate(await readFile(certFile)) };
  });
}

/** A signing certificate issued by a CA (made here unless given). */
export async function createSigningIdentity(options: SigningIdentityOptions = {}): Promise<SigningIdentity> {
  const authority = options.authority ?? (await createCertificateAuthority({ organization: options.organization }));
  const commonName = options.commonName ?? SANDBOX_CERTIFICATE_COMMON_NAME;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return inTemporaryFolder(async (folder) => {
    const csrFile = join(folder, "leaf.csr");
    const caFile = join(folder, "ca.pem");
    const certFile = join(folder, "leaf.pem");
    const extFile = join(folder, "leaf.ext");
    await writeFile(caFile, authority.certificate.toString());
    await writeFile(extFile, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n");
    await openssl(["req", "-new", "-sha256", "-key", await writeKey(folder, privateKey), "-out", csrFile, "-subj", `/C=US/CN=${commonName}`]);
    await openssl([
      "x509", "-req", "-sha256", "-in", csrFile, "-CA", caFile, "-CAkey", await writeKey(folder, authority.privateKey),
      "-set_serial", `0x${Date.now().toString(16)}`, "-days", String(options.days ?? 30), "-extfile", extFile, "-out", certFile,
    ]);
    const certificate = new X509Certificate(await readFile(certFile));
    return { privateKey, certificate, certificateDer: certificate.raw, authority: authority.certificate };
  });
}

/** A self-signed signing certificate with no CA: what a forger without Microsoft's CA can make. */
export async function createSelfSignedIdentity(options: { organization?: string; commonName?: string } = {}): Promise<SigningIdentity> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return inTemporaryFolder(async (folder) => {
    const certFile = join(folder, "cert.pem");
    await openssl([
      "req", "-new", "-x509", "-sha256", "-key", await writeKey(folder, privateKey), "-out", certFile, "-days", "30",
      "-subj", `/C=US/O=${options.organization ?? SANDBOX_CERTIFICATE_ORGANIZATION}/CN=${options.commonName ?? SANDBOX_CERTIFICATE_COMMON_NAME}`,
    ]);
    const certificate = new X509Certificate(await readFile(certFile));
    return { privateKey, certificate, certificateDer: certificate.raw, authority: null };
  });
}
