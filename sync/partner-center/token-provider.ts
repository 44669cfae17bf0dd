/**
 * Bearer tokens for Partner Center.
 *
 * The referrals API accepts only delegated (app+user) tokens for resource
 * `https://api.partner.microsoft.com`; the webhooks API uses `https://api.partnercenter.microsoft.com`
 * (reference §1.2, §2.1, §6). MFA rules out ROPC, so the service signs a Referrals admin in once with
 * the device-code flow and from then on redeems the refresh token (the Secure Application Model).
 * MSAL keeps that refresh token in its cache; we persist the cache encrypted (AES-256-GCM) so a copy of
 * the file alone is useless.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, readFile, rename, writeFile } from "node:fs/promises";
import { InteractionRequiredAuthError, PublicClientApplication, type AccountInfo, type ICachePlugin, type TokenCacheContext } from "@azure/msal-node";

export interface TokenProvider {
  /** A bearer token valid for at least a few more minutes. */
  getToken(): Promise<string>;
}

/** v2-endpoint scopes for the two audiences (the `.default` form is [3P] per reference §1.2). */
export const REFERRALS_SCOPE = "https://api.partner.microsoft.com/.default";
export const WEBHOOKS_SCOPE = "https://api.partnercenter.microsoft.com/.default";

/** For the sandbox, which accepts any bearer, and for tests. */
export class StaticTokenProvider implements TokenProvider {
  constructor(private readonly token: string) {}
  async getToken(): Promise<string> {
    return this.token;
  }
}

/** The stored sign-in can no longer be refreshed; a person must sign in again. */
export class SignInRequiredError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SignInRequiredError";
  }
}

const FILE_VERSION = "v1";

/** Encrypts MSAL's serialized cache with a key derived from a secret (e.g. an env var or a key vault value). */
export function encryptCache(plaintext: string, secret: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptSync(secret, salt, 32);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [FILE_VERSION, salt, iv, cipher.getAuthTag(), data].map((part) => (typeof part === "string" ? part : part.toString("base64"))).join(".");
}

export function decryptCache(stored: string, secret: string): string {
  const [version, salt, iv, tag, data] = stored.trim().split(".");
  if (version !== FILE_VERSION || !salt || !iv || !tag || data === undefined) throw new Error("token cache file has an unknown format");
  const decipher = createDecipheriv("aes-256-gcm", scryptSync(secret, Buffer.from(salt, "base64"), 32), Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
}

/** Writes in progress per file: MSAL may save the cache from several token refreshes at once. */
const pendingWrites = new Map<string, Promise<void>>();

/**
 * Writes `file` atomically, readable by its owner only, whatever was there before: each write goes to
 * a temporary file of its own, created new (0600; never reusing a leftover or following a planted
 * link), then renamed over `file`. Writes to one file are queued, so the last one wins whole.
 */
export function writePrivateFile(file: string, content: string): Promise<void> {
  const previous = pendingWrites.get(file) ?? Promise.resolve();
  const write = previous.catch(() => undefined).then(async () => {
    const temporary = `${file}.${randomBytes(8).toString("hex")}.tmp`;
    await writeFile(temporary, content, { mode: 0o600, flag: "wx" });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  });
  pendingWrites.set(file, write);
  void write.finally(() => {
    if (pendingWrites.get(file) === write) pendingWrites.delete(file);
  }).catch(() => undefined);
  return write;
}

/** MSAL cache plugin that keeps the cache in one encrypted file, written atomically. */
export function encryptedFileCachePlugin(file: string, secret: string): ICachePlugin {
  return {
    async beforeCacheAccess(context: TokenCacheContext) {
      if (!existsSync(file)) return;
      try {
        context.tokenCache.deserialize(decryptCache(await readFile(file, "utf8"), secret));
      } catch (cause) {
        throw new SignInRequiredError(`The Partner Center token cache ${file} cannot be decrypted (wrong key or damaged file); run \`cosell login\` again`, { cause });
      }
    },
    async afterCacheAccess(context: TokenCacheContext) {
      if (!context.cacheHasChanged) return;
      await writePrivateFile(file, encryptCache(context.tokenCache.serialize(), secret));
    },
  };
}

export interface DelegatedTokenProviderOptions {
  clientId: string;
  /** Tenant id or domain of the partner; "organizations" works for multi-tenant apps. */
  tenantId: string;
  scope: string;
  cacheFile: string;
  cacheSecret: string;
  /** Refresh this long before expiry so a token never expires mid-call. */
  refreshBeforeExpiryMs?: number;
}

/** Delegated Referrals-admin token from a one-time device-code sign-in, refreshed silently. */
export class DelegatedTokenProvider implements TokenProvider {
  private readonly app: PublicClientApplication;
  private cached: { token: string; expiresOn: number } | undefined;

  constructor(private readonly options: DelegatedTokenProviderOptions) {
    this.app = new PublicClientApplication({
      auth: { clientId: options.clientId, authority: `https://login.microsoftonline.com/${options.tenantId}` },
      cache: { cachePlugin: encryptedFileCachePlugin(options.cacheFile, options.cacheSecret) },
    });
  }

  /** One-time interactive sign-in (`cosell login`): shows the device-code message, stores the refresh token. */
  async signIn(showMessage: (message: string) => void): Promise<AccountInfo> {
    const result = await this.app.acquireTokenByDeviceCode({ scopes: [this.options.scope], deviceCodeCallback: (response) => showMessage(response.message) });
    if (!result?.account) throw new SignInRequiredError("Device-code sign-in finished without an account");
    return result.account;
  }

  async getToken(): Promise<string> {
    const margin = this.options.refreshBeforeExpiryMs ?? 5 * 60_000;
    if (this.cached && this.cached.expiresOn - margin > Date.now()) return this.cached.token;
    const [account] = await this.app.getTokenCache().getAllAccounts();
    if (!account) throw new SignInRequiredError("No Partner Center sign-in is stored; run `cosell login` as a Referrals admin");
    try {
      const result = await this.app.acquireTokenSilent({ account, scopes: [this.options.scope], forceRefresh: this.cached !== undefined });
      this.cached = { token: result.accessToken, expiresOn: result.expiresOn?.getTime() ?? Date.now() + 55 * 60_000 };
      return result.accessToken;
    } catch (cause) {
      if (cause instanceof InteractionRequiredAuthError) {
        throw new SignInRequiredError(
          `The stored Partner Center sign-in for ${account.username} can no longer be refreshed (${cause.errorCode}); run \`cosell login\` again`,
          { cause },
        );
      }
      throw cause;
    }
  }
}
