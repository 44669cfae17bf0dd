/**
 * Bearer tokens for Dataverse. The backend runs as an application user: Entra ID client credentials
 * with a secret or a certificate, or a managed identity when hosted in Azure, all through
 * @azure/identity for scope `<org URL>/.default`. Tokens are cached and renewed a few minutes before
 * they expire, so a request never leaves with a token that dies in flight. The sandbox accepts any
 * token: use StaticTokenProvider there.
 */
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from "@azure/identity";

export interface DataverseTokenProvider {
  /** A bearer token valid for at least a few more minutes. */
  getToken(): Promise<string>;
}

export class StaticTokenProvider implements DataverseTokenProvider {
  constructor(private readonly token: string) {}
  async getToken(): Promise<string> {
    return this.token;
  }
}

/** Renew this long before expiry (Entra tokens live 60–90 minutes). */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export class CredentialTokenProvider implements DataverseTokenProvider {
  private cached?: { token: string; expiresAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly credential: TokenCredential,
    orgUrl: string,
    private readonly now: () => number = Date.now,
  ) {
    this.scope = `${new URL(orgUrl).origin}/.default`;
  }

  private readonly scope: string;

  async getToken(): Promise<string> {
    if (this.cached && this.cached.expiresAt - REFRESH_MARGIN_MS > this.now()) return this.cached.token;
    // Concurrent callers share one token request instead of each asking Entra ID.
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const token = await this.credential.getToken(this.scope);
    if (!token) throw new Error(`No Dataverse token was issued for ${this.scope}`);
    this.cached = { token: token.token, expiresAt: token.expiresOnTimestamp };
    return token.token;
  }
}

export type DataverseCredentialConfig =
  | { kind: "static"; token: string }
  | { kind: "clientSecret"; tenantId: string; clientId: string; clientSecret: string }
  | { kind: "clientCertificate"; tenantId: string; clientId: string; certificatePath: string }
  | { kind: "managedIdentity"; clientId?: string };

export function createTokenProvider(orgUrl: string, config: DataverseCredentialConfig): DataverseTokenProvider {
  switch (config.kind) {
    case "static":
      return new StaticTokenProvider(config.token);
    case "clientSecret":
      return new CredentialTokenProvider(new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret), orgUrl);
    case "clientCertificate":
      return new CredentialTokenProvider(
        new ClientCertificateCredential(config.tenantId, config.clientId, { certificatePath: config.certificatePath }),
        orgUrl,
      );
    case "managedIdentity":
      return new CredentialTokenProvider(
        config.clientId ? new ManagedIdentityCredential({ clientId: config.clientId }) : new ManagedIdentityCredential(),
        orgUrl,
      );
  }
}
