/**
 * The key pair and self-signed certificate the sandbox signs webhook deliveries with.
 *
 * node:crypto makes RSA keys but cannot issue X.509 certificates, so the certificate is made once per
 * start with the `openssl` command line (present on every Debian/Ubuntu machine and in CI) instead of
 * adding a certificate library. It lives for the life of the process; nothing is written outside a
 * temporary folder that is removed straight away.
 */
import { execFile } from "node:child_process";
import { X509Certificate, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Subject organization of the sandbox certificate; the verifier is told to expect it in sandbox mode. */
export const SANDBOX_CERTIFICATE_ORGANIZATION = "Partner Center Sandbox";
/** Mirrors the real certificate's CN (pcnotifications-dispatch.microsoft.com, inferred from its file name). */
export const SANDBOX_CERTIFICATE_COMMON_NAME = "pcnotifications-dispatch.sandbox.localhost";

export interface SigningIdentity {
  privateKey: KeyObject;
  certificate: X509Certificate;
  /** DER bytes, served as the .cer file (the real URL ends in .cer) [I]. */
  certificateDer: Buffer;
}

export interface SigningIdentityOptions {
  organization?: string;
  commonName?: string;
  days?: number;
}

export class CertificateToolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CertificateToolError";
  }
}

export async function createSigningIdentity(options: SigningIdentityOptions = {}): Promise<SigningIdentity> {
  const organization = options.organization ?? SANDBOX_CERTIFICATE_ORGANIZATION;
  const commonName = options.commonName ?? SANDBOX_CERTIFICATE_COMMON_NAME;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const folder = await mkdtemp(join(tmpdir(), "pc-sandbox-cert-"));
  try {
    const keyFile = join(folder, "key.pem");
    const certFile = join(folder, "cert.pem");
    await writeFile(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    try {
      await run("openssl", [
        "req", "-new", "-x509", "-sha256",
        "-key", keyFile,
        "-out", certFile,
        "-days", String(options.days ?? 30),
        "-subj", `/C=US/O=${organization}/CN=${commonName}`,
      ]);
    } catch (cause) {
      throw new CertificateToolError("The Partner Center sandbox needs the `openssl` command to make its webhook signing certificate; install openssl", { cause });
    }
    const certificate = new X509Certificate(await readFile(certFile));
    return { privateKey, certificate, certificateDer: certificate.raw };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
