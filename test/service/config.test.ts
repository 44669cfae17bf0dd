/** Configuration errors tell the admin everything that is missing, in one message. */
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../sync/service/config";

describe("configuration", () => {
  it("lists every missing item at once with what to put there", () => {
    let error: unknown;
    try {
      parseConfig({});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain("DATAVERSE_URL is required: your org URL");
    expect(message).toContain("DATAVERSE_WEBHOOK_KEY is required");
    expect(message).toContain("no Dataverse credential");
    expect(message).toContain("no Partner Center credential");
    expect(message).toContain(".env.example");
  });

  it("refuses a short webhook key and a mapping file that does not exist", () => {
    expect(() =>
      parseConfig({ DATAVERSE_URL: "https://x.crm.dynamics.com", DATAVERSE_STATIC_TOKEN: "t", DATAVERSE_WEBHOOK_KEY: "short", MAPPING_FILE: "/nope.json" }),
    ).toThrow(/DATAVERSE_WEBHOOK_KEY must be at least 32 characters[\s\S]*MAPPING_FILE file not found/);
  });

  it("accepts a complete configuration and fills the defaults", () => {
    const config = parseConfig({
      DATAVERSE_URL: "https://x.crm.dynamics.com",
      DATAVERSE_TENANT_ID: "t", DATAVERSE_CLIENT_ID: "c", DATAVERSE_CLIENT_SECRET: "s",
      DATAVERSE_WEBHOOK_KEY: "0123456789abcdef0123456789abcdef",
      PARTNER_CENTER_CLIENT_ID: "app", PARTNER_CENTER_TOKEN_SECRET: "0123456789abcdef0123456789abcdef",
    });
    expect(config.PARTNER_CENTER_API_URL).toBe("https://api.partner.microsoft.com");
    expect(config.WORKERS).toBe(16);
    expect(config.PORT).toBe(8080);
    // Dataverse redelivers nothing lost: its catch-up pass runs twice a minute unless told otherwise.
    expect(config.CATCH_UP_INTERVAL_SECONDS).toBe(30);
  });

  it("keeps the Dataverse catch-up within a minute", () => {
    const base = {
      DATAVERSE_URL: "https://x.crm.dynamics.com", DATAVERSE_STATIC_TOKEN: "t", DATAVERSE_WEBHOOK_KEY: "0123456789abcdef0123456789abcdef",
      PARTNER_CENTER_STATIC_TOKEN: "p",
    };
    expect(parseConfig({ ...base, CATCH_UP_INTERVAL_SECONDS: "10" }).CATCH_UP_INTERVAL_SECONDS).toBe(10);
    expect(() => parseConfig({ ...base, CATCH_UP_INTERVAL_SECONDS: "300" })).toThrow(/CATCH_UP_INTERVAL_SECONDS/);
  });

  it("refuses PARTNER_CENTER_WEBHOOK_TRUSTED_CA that holds no certificate, and names the variable", () => {
    const base = { DATAVERSE_URL: "https://x.crm.dynamics.com", DATAVERSE_STATIC_TOKEN: "t", PARTNER_CENTER_STATIC_TOKEN: "t", DATAVERSE_WEBHOOK_KEY: "0123456789abcdef0123456789abcdef" };
    expect(() => parseConfig({ ...base, PARTNER_CENTER_WEBHOOK_TRUSTED_CA: "/no/such/ca.pem" })).toThrow(/PARTNER_CENTER_WEBHOOK_TRUSTED_CA must be PEM certificates or the path of a PEM file: ENOENT/);
    expect(() => parseConfig({ ...base, PARTNER_CENTER_WEBHOOK_TRUSTED_CA: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----" })).toThrow(
      /PARTNER_CENTER_WEBHOOK_TRUSTED_CA must be PEM certificates/,
    );
  });
});
