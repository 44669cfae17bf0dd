/** The refresh-token cache is only ever on disk encrypted, and a wrong key cannot read it. */
import { mkdtemp, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TokenCacheContext } from "@azure/msal-node";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../sync/service/config";
import { decryptCache, encryptCache, encryptedFileCachePlugin, StaticTokenProvider } from "../../sync/partner-center/token-provider";

const SECRET = "0123456789abcdef0123456789abcdef";

async function saveThroughPlugin(file: string, serialized: string): Promise<void> {
  const context = { cacheHasChanged: true, tokenCache: { serialize: () => serialized } } as unknown as TokenCacheContext;
  await encryptedFileCachePlugin(file, SECRET).afterCacheAccess(context);
}

describe("encrypted token cache", () => {
  it("round-trips with the right secret, hides the plaintext, and fails with a wrong one", () => {
    const plaintext = JSON.stringify({ RefreshToken: { secret: "refresh-token-value" } });
    const stored = encryptCache(plaintext, "correct horse");
    expect(stored).not.toContain("refresh-token-value");
    expect(decryptCache(stored, "correct horse")).toBe(plaintext);
    expect(() => decryptCache(stored, "wrong key")).toThrow();
    expect(encryptCache(plaintext, "correct horse")).not.toBe(stored);
  });

  it("the static provider hands out its token (the sandbox accepts any bearer)", async () => {
    expect(await new StaticTokenProvider("abc").getToken()).toBe("abc");
  });

  it("is written readable by its owner only, even over a leftover world-readable or planted temporary file", async () => {
    const folder = await mkdtemp(join(tmpdir(), "token-file-"));
    const file = join(folder, "token.json");
    await writeFile(`${file}.tmp`, "old", { mode: 0o644 });
    await saveThroughPlugin(file, "first");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(decryptCache(await readFile(file, "utf8"), SECRET)).toBe("first");

    expect(await readFile(`${file}.tmp`, "utf8")).toBe("old");

    // A symlink planted where a temporary file used to go must not redirect the write.
    const other = join(folder, "other.json");
    const elsewhere = join(folder, "elsewhere.txt");
    await writeFile(elsewhere, "untouched", { mode: 0o644 });
    await symlink(elsewhere, `${other}.tmp`);
    await saveThroughPlugin(other, "second");
    expect(await readFile(elsewhere, "utf8")).toBe("untouched");
    expect((await stat(other)).mode & 0o777).toBe(0o600);
    expect(decryptCache(await readFile(other, "utf8"), SECRET)).toBe("second");
  });

  it("survives overlapping saves (several token refreshes at once): every one succeeds and the file holds one of them whole", async () => {
    const folder = await mkdtemp(join(tmpdir(), "token-file-"));
    const file = join(folder, "token.json");
    const values = Array.from({ length: 16 }, (_, i) => `cache-${i}`);
    await Promise.all(values.map((value) => saveThroughPlugin(file, value)));
    expect(values).toContain(decryptCache(await readFile(file, "utf8"), SECRET));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("refuses a secret shorter than 32 characters, saying how to make one", () => {
    expect(() =>
      parseConfig({
        DATAVERSE_URL: "https://x.crm.dynamics.com", DATAVERSE_STATIC_TOKEN: "t", DATAVERSE_WEBHOOK_KEY: "0123456789abcdef0123456789abcdef",
        PARTNER_CENTER_CLIENT_ID: "app", PARTNER_CENTER_TOKEN_SECRET: "a",
      }),
    ).toThrow(/PARTNER_CENTER_TOKEN_SECRET must be at least 32 characters.*openssl rand -hex 32/);
  });
});
