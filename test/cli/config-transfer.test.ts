/**
 * `cosell config export` / `import` over real HTTP, from a staging org (whose service seeded the
 * mapping, then an admin re-pointed a field and set the settings) to a second, empty production org:
 * the file is stable and carries no secret, import shows the diff and writes only with --yes, the
 * round trip gives the same file back, and a bad file (not JSON, wrong shape, a column the target
 * lacks) is refused with what to fix and changes nothing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictPolicyOption, CoSellMappingColumns as M, CoSellMappingTable, CoSellSettingsColumns as SC, CoSellSettingsTable, MappingDirectionOption } from "../../entities";
import { startSandboxEnvironment, type SandboxEnvironment } from "../../sandbox/environment/sandbox-environment";
import { CliError } from "../../sync/cli/cli-io";
import { configExportCommand, configImportCommand } from "../../sync/cli/commands/config.command";
import { runCli } from "../../sync/cli/program";
import { createRow, waitFor, webApi } from "../e2e-api/story-kit";
import { recordedIo, tempStorePath } from "./cli-test-kit";

let staging: SandboxEnvironment;
let production: SandboxEnvironment;
const folder = mkdtempSync(join(tmpdir(), "cosell-config-"));
const file = join(folder, "cosell-config.json");

beforeAll(async () => {
  [staging, production] = await Promise.all([startSandboxEnvironment({ settingsRefreshMs: 200 }), startSandboxEnvironment({ startBackend: false })]);
});
afterAll(async () => {
  await Promise.all([staging?.close(), production?.close()]);
});

type Row = Record<string, unknown>;
const configOf = (env: SandboxEnvironment) => ({ ...env.config, STORE_PATH: tempStorePath() });

async function rows(env: SandboxEnvironment): Promise<Row[]> {
  const { json } = await webApi(env, "GET", `${CoSellMappingTable.entitySetName}?$orderby=createdon asc`);
  return json.value as Row[];
}

async function settingsRows(env: SandboxEnvironment): Promise<Row[]> {
  return (await webApi(env, "GET", CoSellSettingsTable.entitySetName)).json.value as Row[];
}

/** What an admin sees of an org's configuration: the rows and the settings row, without ids and times. */
async function snapshot(env: SandboxEnvironment): Promise<string> {
  const pick = (row: Row, keys: string[]) => Object.fromEntries(keys.map((k) => [k, row[k] ?? null]));
  return JSON.stringify({
    rows: (await rows(env)).map((r) => pick(r, [M.name, M.partnerCenterField, M.dataverseColumn, M.direction, M.valueMap])),
    settings: (await settingsRows(env)).map((r) => pick(r, [SC.conflictPolicy, SC.catchUpIntervalSeconds, SC.pauseAllSync, SC.teamsWebhookUrl])),
  });
}

describe("cosell config export / import", () => {
  it("exports the staging org as stable JSON without the per-environment settings, and imports it into production after showing the diff", async () => {
    await waitFor("the seeded rows", async () => (await rows(staging)).length === 25);
    const notes = (await rows(staging)).find((r) => r[M.partnerCenterField] === "notes")!;
    await webApi(staging, "PATCH", `${CoSellMappingTable.entitySetName}(${notes[CoSellMappingTable.primaryId] as string})`, {
      [M.dataverseColumn]: "customerneed",
      [M.direction]: MappingDirectionOption.ToPartnerCenter,
    }, { "If-Match": "*" });
    await createRow(staging, CoSellSettingsTable.entitySetName, {
      [SC.name]: "Co-sell settings",
      [SC.conflictPolicy]: ConflictPolicyOption.PartnerCenterWins,
      [SC.catchUpIntervalSeconds]: 20,
      [SC.teamsWebhookUrl]: "https://prod-00.westeurope.logic.azure.com/workflows/abc?sig=secret",
      [SC.pauseAllSync]: true,
    });

    const exported = recordedIo();
    expect(await configExportCommand({ config: configOf(staging), io: exported, file }), exported.text()).toBe(0);
    const text = readFileSync(file, "utf8");
    const json = JSON.parse(text) as { settings: unknown; mapping: Row[] };
    expect(json.settings).toEqual({ conflictPolicy: "partner-center-wins", catchUpIntervalSeconds: 20 });
    expect(json.mapping).toHaveLength(25);
    expect(json.mapping.find((m) => m.partnerCenterField === "notes")).toEqual({
      partnerCenterField: "notes", name: "Notes", dataverseColumn: "customerneed", direction: "to-partner-center", valueMap: null,
    });
    expect(text).not.toContain("secret");
    // No row ids or org-specific values: the file applies to any org.
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    // Stable: the same configuration gives the same bytes (to stdout too).
    const again = recordedIo();
    await configExportCommand({ config: configOf(staging), io: again });
    expect(`${again.stdout.join("\n")}\n`).toBe(text);

    const before = await snapshot(production);
    const preview = recordedIo();
    expect(await configImportCommand({ config: configOf(production), io: preview, file, yes: false })).toBe(0);
    expect(preview.stdout[0]).toBe(`Changes to ${production.config.DATAVERSE_URL} from ${file}:`);
    expect(preview.stdout).toContain("  + mapping notes: customerneed, to-partner-center");
    expect(preview.stdout).toContain("  ~ settings: conflictPolicy (empty) → partner-center-wins; catchUpIntervalSeconds (empty) → 20");
    expect(preview.stdout.at(-1)).toBe(`Nothing was changed. To apply these 26 changes: cosell config import ${file} --yes`);
    expect(await snapshot(production)).toBe(before);

    const applied = recordedIo();
    expect(await configImportCommand({ config: configOf(production), io: applied, file, yes: true }), applied.text()).toBe(0);
    expect(applied.stdout.at(-1)).toMatch(/^✔ Applied 26 changes/);
    expect((await rows(production)).find((r) => r[M.partnerCenterField] === "notes")).toMatchObject({
      [M.dataverseColumn]: "customerneed", [M.direction]: MappingDirectionOption.ToPartnerCenter,
    });
    expect(await settingsRows(production)).toEqual([expect.objectContaining({
      [SC.conflictPolicy]: ConflictPolicyOption.PartnerCenterWins, [SC.catchUpIntervalSeconds]: 20, [SC.pauseAllSync]: false, [SC.teamsWebhookUrl]: null,
    })]);

    // The round trip: production exports the very same file; importing it again changes nothing.
    const back = recordedIo();
    await configExportCommand({ config: configOf(production), io: back });
    expect(`${back.stdout.join("\n")}\n`).toBe(text);
    const noop = recordedIo();
    expect(await configImportCommand({ config: configOf(production), io: noop, file, yes: true })).toBe(0);
    expect(noop.stdout).toEqual([`✔ ${production.config.DATAVERSE_URL} already holds the configuration of ${file}: nothing to change.`]);
  });

  it("a changed row in the file is shown as a change and applied; a row the file drops is removed", async () => {
    const json = JSON.parse(readFileSync(file, "utf8")) as { mapping: Row[] };
    json.mapping = json.mapping.filter((m) => m.partnerCenterField !== "customer.duns");
    json.mapping.find((m) => m.partnerCenterField === "notes")!.dataverseColumn = "currentsituation";
    const edited = join(folder, "edited.json");
    writeFileSync(edited, JSON.stringify(json, null, 2));
    const io = recordedIo();
    expect(await configImportCommand({ config: configOf(production), io, file: edited, yes: true }), io.text()).toBe(0);
    expect(io.stdout).toContain("  ~ mapping notes: dataverseColumn customerneed → currentsituation");
    expect(io.stdout).toContain('  - mapping row "Customer duns" (customer.duns)');
    const after = await rows(production);
    expect(after).toHaveLength(24);
    expect(after.find((r) => r[M.partnerCenterField] === "notes")?.[M.dataverseColumn]).toBe("currentsituation");
  });

  it("refuses a bad file whole, saying what to fix, and changes nothing", async () => {
    const before = await snapshot(production);
    const write = (name: string, content: string) => {
      const path = join(folder, name);
      writeFileSync(path, content);
      return path;
    };
    const valid = JSON.parse(readFileSync(file, "utf8")) as { mapping: Row[]; settings: Row };

    const notJson = write("not-json.json", "{ mapping: [");
    await expect(configImportCommand({ config: configOf(production), io: recordedIo(), file: notJson, yes: true })).rejects.toThrow(/is not valid JSON.*\n?.*Nothing was changed/s);

    const wrongShape = structuredClone(valid);
    wrongShape.mapping[0]!.direction = "sideways";
    wrongShape.settings.catchUpIntervalSeconds = 2;
    const shapeError = await configImportCommand({ config: configOf(production), io: recordedIo(), file: write("shape.json", JSON.stringify(wrongShape)), yes: true }).catch((e: unknown) => e);
    expect(shapeError).toBeInstanceOf(CliError);
    expect((shapeError as Error).message).toMatch(/^.*shape\.json is not a co-sell configuration file this version can import:\n/);
    expect((shapeError as Error).message).toContain('- mapping.0.direction: Invalid option: expected one of "both"|"to-partner-center"|"to-dynamics-365"');
    expect((shapeError as Error).message).toContain("- settings.catchUpIntervalSeconds: Too small: expected number to be >=5");
    expect((shapeError as Error).message).toMatch(/\nNothing was changed\.$/);

    const missingColumn = structuredClone(valid);
    missingColumn.mapping.find((m) => m.partnerCenterField === "notes")!.dataverseColumn = "new_region";
    missingColumn.mapping.find((m) => m.partnerCenterField === "dealValue")!.dataverseColumn = "name";
    const columnError = await configImportCommand({ config: configOf(production), io: recordedIo(), file: write("columns.json", JSON.stringify(missingColumn)), yes: true }).catch((e: unknown) => e);
    expect((columnError as Error).message).toBe(
      `${join(folder, "columns.json")} maps fields in a way ${production.config.DATAVERSE_URL} cannot run:\n` +
        "- mapping dealValue: column name is a String column; dealValue needs Money or Decimal or Double\n" +
        "- mapping notes: column new_region does not exist on opportunity\n" +
        "Create the missing columns in this org (or correct the file), then import again. Nothing was changed.",
    );

    await expect(configImportCommand({ config: configOf(production), io: recordedIo(), file: join(folder, "no-such-file.json"), yes: true })).rejects.toThrow(
      /^Cannot read .*no-such-file\.json .*Nothing was changed\.$/,
    );
    // Typed wrong: a usage error, exit 2.
    const io = recordedIo();
    expect(await runCli(["config", "import"], io)).toBe(2);
    expect(await snapshot(production)).toBe(before);
  });
});
