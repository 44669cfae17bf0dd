/** The refresh-token cache is only ever on disk encrypted, and a wrong key cannot read it. */
import { describe, expect, it } from "vitest";
import { decryptCache, encryptCache, StaticTokenProvider } from "../../sync/partner-center/token-provider";

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
});
