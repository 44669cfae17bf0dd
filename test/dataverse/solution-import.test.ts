/**
 * Our solution zip (built by the real packer) imported into the sandbox defines the pcc_ columns the
 * backend writes: before the import Dataverse refuses them, after it every column round-trips with its
 * type and limits enforced.
 */
import JSZip from "jszip";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ConflictPolicyOption,
  CoSellMappingColumns,
  CoSellMappingTable,
  MappingDirectionOption,
  CoSellSettingsColumns,
  CoSellSettingsTable,
  OPPORTUNITY_COLUMNS,
  OpportunityColumns,
  ReferralStatus,
  SOLUTION,
  SyncStatus,
  Tables,
  type ColumnDefinition,
} from "../../entities";
import { DataverseError, type OpportunityWrite } from "../../sync/dataverse";
import { api, solutionZip, startFixture, type Fixture } from "./sandbox-fixture";

/** A valid, non-default value for every column type. */
function sampleValue(column: ColumnDefinition): unknown {
  switch (column.type) {
    case "boolean":
      return !column.defaultValue;
    case "choice":
      return column.options[column.options.length - 1]?.value;
    case "datetime":
      return "2026-11-25T10:03:12Z";
    case "text":
      return column.format === "url" ? "https://partner.microsoft.com/referrals/abc" : `value of ${column.logicalName}`.slice(0, column.maxLength);
    case "memo":
      return `line one of ${column.logicalName}\nline two`;
  }
}

describe("ImportSolution of our zip", () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(() => fixture.sandbox.close());
  beforeEach(() => fixture.sandbox.reset());

  it("refuses pcc_ columns before the import, with Dataverse's unknown-property error", async () => {
    const write = fixture.client.createOpportunity({ name: "Before import", [OpportunityColumns.syncWithPartnerCenter]: true });
    await expect(write).rejects.toBeInstanceOf(DataverseError);
    await expect(write).rejects.toMatchObject({ status: 400, isUnknownProperty: true });

    const select = await api(fixture.sandbox, `${Tables.opportunity.entitySetName}?$select=${OpportunityColumns.syncStatus}`);
    expect(select.status).toBe(400);
    expect(select.json).toMatchObject({ error: { code: "0x80060888", message: expect.stringContaining(`'${OpportunityColumns.syncStatus}'`) } });
    expect(await fixture.client.installedSolution(SOLUTION.uniqueName)).toBeUndefined();
  });

  it("adds every column of entities/ and then round-trips each through create, read and update", async () => {
    await fixture.client.importSolution(await solutionZip());

    const columns = await fixture.client.attributeNames(Tables.opportunity.logicalName);
    expect(columns).toEqual(expect.arrayContaining(OPPORTUNITY_COLUMNS.map((column) => column.logicalName)));
    expect(await fixture.client.installedSolution(SOLUTION.uniqueName)).toMatchObject({ isManaged: false });

    const values = Object.fromEntries(OPPORTUNITY_COLUMNS.map((column) => [column.logicalName, sampleValue(column)])) as OpportunityWrite;
    const id = await fixture.client.createOpportunity({ name: "Contoso expansion", ...values });
    const created = await fixture.client.retrieveOpportunity(id);
    expect(created?.values).toMatchObject(values);
    expect(created?.etag).toMatch(/^W\/"\d+"$/);
    expect(created?.formatted[OpportunityColumns.referralStatus]).toBe("Closed / Error");

    const etag = await fixture.client.updateOpportunity(
      id,
      { [OpportunityColumns.syncStatus]: SyncStatus.Synced, [OpportunityColumns.referralStatus]: ReferralStatus.ActiveAccepted, [OpportunityColumns.syncError]: null },
      created?.etag,
    );
    const updated = await fixture.client.retrieveOpportunity(id);
    expect(updated?.etag).toBe(etag);
    expect(updated?.values).toMatchObject({
      [OpportunityColumns.syncStatus]: SyncStatus.Synced,
      [OpportunityColumns.referralStatus]: ReferralStatus.ActiveAccepted,
      [OpportunityColumns.syncError]: null,
      [OpportunityColumns.products]: values[OpportunityColumns.products],
    });
    expect(updated?.formatted[OpportunityColumns.syncStatus]).toBe("✔ Synced");
  });

  it("applies the defaults the zip declares to a new opportunity", async () => {
    await fixture.client.importSolution(await solutionZip());
    const id = await fixture.client.createOpportunity({ name: "Defaults" });
    const row = await fixture.client.retrieveOpportunity(id);
    expect(row?.values[OpportunityColumns.syncWithPartnerCenter]).toBe(false);
    expect(row?.values[OpportunityColumns.syncStatus]).toBe(SyncStatus.NotSynced);
  });

  it("validates values against the imported definitions: option values, text length, types", async () => {
    await fixture.client.importSolution(await solutionZip());
    await expect(fixture.client.createOpportunity({ name: "x", [OpportunityColumns.syncStatus]: 42 })).rejects.toMatchObject({
      status: 400,
      code: "0x8004431a",
    });
    const identifier = OPPORTUNITY_COLUMNS.find((column) => column.logicalName === OpportunityColumns.referralIdentifier);
    const tooLong = "x".repeat((identifier?.type === "text" ? identifier.maxLength : 100) + 1);
    await expect(fixture.client.createOpportunity({ name: "x", [OpportunityColumns.referralIdentifier]: tooLong })).rejects.toMatchObject({
      status: 400,
      code: "0x80044331",
    });
    const wrongType = await api(fixture.sandbox, Tables.opportunity.entitySetName, {
      method: "POST",
      body: { name: "x", [OpportunityColumns.syncWithPartnerCenter]: "yes" },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json).toMatchObject({ error: { code: "0x80048d19", message: expect.stringContaining("Edm.Boolean") } });
  });

  it("creates the co-sell settings table the zip declares: absent before, then a row round-trips with its choice checked", async () => {
    const before = await api(fixture.sandbox, CoSellSettingsTable.entitySetName);
    expect(before.status).toBe(404);

    await fixture.client.importSolution(await solutionZip());
    const values = {
      [CoSellSettingsColumns.name]: "Co-sell settings",
      [CoSellSettingsColumns.conflictPolicy]: ConflictPolicyOption.PartnerCenterWins,
      [CoSellSettingsColumns.catchUpIntervalSeconds]: 20,
      [CoSellSettingsColumns.teamsWebhookUrl]: "https://prod-00.westeurope.logic.azure.com/workflows/abc",
      [CoSellSettingsColumns.pauseAllSync]: true,
    };
    const id = await fixture.client.create(CoSellSettingsTable, values);
    const rows = await fixture.client.query<Record<string, unknown>>(CoSellSettingsTable, Object.keys(values), { filter: "statecode eq 0", orderBy: "createdon asc" });
    expect(rows).toEqual([expect.objectContaining({ id, values: expect.objectContaining(values) })]);

    // A new row defaults to "Running": a settings row added without thinking never stops the sync.
    const second = await fixture.client.create(CoSellSettingsTable, { [CoSellSettingsColumns.name]: "second" });
    expect((await fixture.client.retrieve<Record<string, unknown>>(CoSellSettingsTable, second, [CoSellSettingsColumns.pauseAllSync]))?.values).toMatchObject({
      [CoSellSettingsColumns.pauseAllSync]: false,
    });
    await expect(fixture.client.create(CoSellSettingsTable, { [CoSellSettingsColumns.name]: "x", [CoSellSettingsColumns.conflictPolicy]: 7 })).rejects.toMatchObject({
      status: 400,
      code: "0x8004431a",
    });
  });

  it("creates the co-sell field mapping table: a row round-trips, a new row syncs both ways, an unknown direction is refused", async () => {
    expect((await api(fixture.sandbox, CoSellMappingTable.entitySetName)).status).toBe(404);
    await fixture.client.importSolution(await solutionZip());
    const values = {
      [CoSellMappingColumns.name]: "Notes",
      [CoSellMappingColumns.partnerCenterField]: "notes",
      [CoSellMappingColumns.dataverseColumn]: "description",
      [CoSellMappingColumns.direction]: MappingDirectionOption.ToPartnerCenter,
      [CoSellMappingColumns.valueMap]: "{}",
      [CoSellMappingColumns.verdict]: "OK",
      [CoSellMappingColumns.verdictOn]: "2026-11-25T10:03:12Z",
      [CoSellMappingColumns.testOpportunity]: "Fabrikam cloud migration",
      [CoSellMappingColumns.testPreview]: "x".repeat(20_000),
    };
    const id = await fixture.client.create(CoSellMappingTable, values);
    const row = await fixture.client.retrieve<Record<string, unknown>>(CoSellMappingTable, id, Object.keys(values));
    expect(row?.values).toMatchObject({ ...values, [CoSellMappingColumns.verdictOn]: expect.stringMatching(/^2026-11-25T10:03:12/) });
    const second = await fixture.client.create(CoSellMappingTable, { [CoSellMappingColumns.name]: "Deal value", [CoSellMappingColumns.partnerCenterField]: "dealValue" });
    expect((await fixture.client.retrieve<Record<string, unknown>>(CoSellMappingTable, second, [CoSellMappingColumns.direction]))?.values).toMatchObject({
      [CoSellMappingColumns.direction]: MappingDirectionOption.Both,
    });
    await expect(fixture.client.create(CoSellMappingTable, { [CoSellMappingColumns.name]: "x", [CoSellMappingColumns.direction]: 3 })).rejects.toMatchObject({ status: 400 });
  });

  it("refuses a solution whose new table lacks what Dataverse needs to create it, naming the table, and changes nothing", async () => {
    const zip = await JSZip.loadAsync(await solutionZip());
    const xml = await zip.file("customizations.xml")!.async("string");
    const withoutSetName = xml.replace(`<EntitySetName>${CoSellSettingsTable.entitySetName}</EntitySetName>`, "");
    expect(withoutSetName).not.toBe(xml);
    zip.file("customizations.xml", withoutSetName);
    const broken = await zip.generateAsync({ type: "nodebuffer" });
    await expect(fixture.client.importSolution(broken)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining(`table '${CoSellSettingsTable.logicalName}', which this org does not have, and does not create it`),
    });
    expect(await fixture.client.attributeNames(Tables.opportunity.logicalName)).not.toContain(OpportunityColumns.syncStatus);
    expect((await api(fixture.sandbox, CoSellSettingsTable.entitySetName)).status).toBe(404);
  });

  it("rejects a file that is not a solution zip and changes nothing", async () => {
    await expect(fixture.client.importSolution(Buffer.from("not a zip"))).rejects.toMatchObject({ status: 400 });
    expect(await fixture.client.attributeNames(Tables.opportunity.logicalName)).not.toContain(OpportunityColumns.syncStatus);
  });
});
