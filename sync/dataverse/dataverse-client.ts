/**
 * The backend's Dataverse client. Built on dataverse-ify (the client's choice) over our FetchTransport:
 * dataverse-ify's WebApiBase + XrmContextDataverseClient do creates (odataify turns EntityRefs into
 * `@odata.bind`, polymorphic lookups included) and collection queries. A few operations go through the
 * same transport directly, each saying why: dataverse-ify has no way to send If-Match or
 * Prefer: odata.track-changes, drops @odata.etag when it converts rows, and its action support needs
 * request classes with metadata we would have to invent for WinOpportunity / ImportSolution.
 * (NodeWebApi is not used: it hard-wires its node-fetch transport that double-encodes bodies.)
 */
import { EntityReference, odataify, XrmContextDataverseClient } from "dataverse-ify";
import { WebApiBase } from "dataverse-ify/lib/webapi/WebApiBase";
import {
  ContactColumns,
  OpportunityCloseColumns,
  CurrencyColumns,
  OpportunityColumns,
  OpportunityStatusCode,
  RegistrationTables,
  SolutionColumns,
  Tables,
} from "../../entities";
import { DataverseError, toDataverseError } from "./dataverse-error";
import { FetchTransport, type TransportOptions } from "./fetch-transport";
import { installMetadataCache, knownEntitySetNames } from "./metadata-cache";
import { fromODataRow, odataString, selectList } from "./odata-rows";
import {
  ACCOUNT_SELECT,
  CONTACT_SELECT,
  LOOKUP_COLUMNS,
  OPPORTUNITY_SELECT,
  type AccountValues,
  type AccountWrite,
  type ContactValues,
  type ContactWrite,
  type EntityRef,
  type OpportunityValues,
  type OpportunityWrite,
  type Retrieved,
} from "./records";
import type { DataverseTokenProvider } from "./token-provider";

export interface DataverseClientOptions {
  /** Org URL, e.g. https://contoso.crm4.dynamics.com (the Web API is at /api/data/v9.2 below it). */
  orgUrl: string;
  tokens: DataverseTokenProvider;
  transport?: TransportOptions;
}

export interface QueryOptions {
  /** OData $filter expression (build literals with odataString). */
  filter?: string;
  orderBy?: string;
  top?: number;
  /** Prefer: odata.maxpagesize; all pages are read. */
  pageSize?: number;
}

export interface ChangePage<T> {
  changed: Retrieved<T>[];
  /** Ids of rows deleted since the previous delta link. */
  deleted: string[];
  /** Set on the last page: keep it and pass it to the next call. */
  deltaLink?: string;
}

export interface CloseOptions {
  /** Status reason of the closed opportunity (Won: 3; Lost: 4 Canceled or 5 Out-Sold). */
  status?: number;
  subject?: string;
  description?: string;
  actualRevenue?: number;
  /** Close date, YYYY-MM-DD. */
  actualEnd?: string;
}

const ANNOTATIONS = 'odata.include-annotations="*"';

interface TableRef {
  logicalName: string;
  entitySetName: string;
  primaryId: string;
}

export class DataverseClient {
  readonly transport: FetchTransport;
  readonly webApi: WebApiBase;
  readonly xrm: XrmContextDataverseClient;
  private currencyIds = new Map<string, string>();

  constructor(options: DataverseClientOptions) {
    installMetadataCache();
    this.transport = new FetchTransport(options.orgUrl, options.tokens, options.transport);
    this.webApi = new WebApiBase(this.transport);
    // dataverse-ify asks EntityDefinitions for a table's entity set name on each client's first use of
    // it (one request per table per client, and a lost status when that request is throttled: it is
    // rethrown as a string). Our tables' names are known, so it is given them (dataverse-ify 2.x keeps
    // them in this field; test/dataverse/request-limiter.test.ts fails if it stops reading it).
    Object.assign((this.webApi as unknown as { entitySetNames: Record<string, string> }).entitySetNames, knownEntitySetNames());
    this.xrm = new XrmContextDataverseClient(this.webApi as unknown as Xrm.WebApi);
  }

  // ---- generic rows ---------------------------------------------------------------------------

  /** dataverse-ify's entity shape: EntityRefs become EntityReference so odataify writes @odata.bind. */
  private toEntity(table: TableRef, values: Record<string, unknown>): { logicalName: string; [column: string]: unknown } {
    const entity: { logicalName: string; [column: string]: unknown } = { logicalName: table.logicalName };
    for (const [column, value] of Object.entries(values)) {
      if (value === undefined) continue;
      const ref = value as EntityRef | null;
      entity[column] = ref && typeof ref === "object" && "logicalName" in ref && "id" in ref ? new EntityReference(ref.logicalName, ref.id) : value;
    }
    return entity;
  }

  async create(table: TableRef, values: Record<string, unknown>): Promise<string> {
    try {
      return await this.xrm.create(this.toEntity(table, values));
    } catch (error) {
      throw toDataverseError(error, `creating ${table.logicalName}`);
    }
  }

  /**
   * PATCH with If-Match: the etag read earlier (a stale one fails with 412), or "*" so that the update
   * never turns into an upsert of a deleted row. Returns the row's new etag.
   * Direct call: dataverse-ify's updateRecord cannot send If-Match and returns no etag.
   */
  async update(table: TableRef, id: string, values: Record<string, unknown>, ifMatch = "*"): Promise<string> {
    const payload = (await odataify("Update", this.toEntity(table, values))) as Record<string, unknown>;
    const result = await this.transport.call("PATCH", `${table.entitySetName}(${id})?$select=${table.primaryId}`, {
      headers: { "If-Match": ifMatch, Prefer: "return=representation" },
      body: payload,
    });
    const etag = (result.json as Record<string, unknown> | undefined)?.["@odata.etag"];
    if (typeof etag !== "string") throw new DataverseError(`update of ${table.logicalName} ${id} returned no etag`, { status: result.status });
    return etag;
  }

  async retrieve<T>(table: TableRef, id: string, columns: readonly string[]): Promise<Retrieved<T> | undefined> {
    const lookups = LOOKUP_COLUMNS[table.logicalName] ?? [];
    try {
      // dataverse-ify's retrieveRecord returns the raw row (etag included); sdkify is not applied.
      const raw = (await this.webApi.retrieveRecord(table.logicalName, id, `?$select=${selectList(columns, lookups)}`)) as Record<string, unknown>;
      return fromODataRow<T>(raw, table.primaryId, columns, lookups);
    } catch (error) {
      const typed = toDataverseError(error, `reading ${table.logicalName} ${id}`);
      if (typed.isNotFound) return undefined;
      throw typed;
    }
  }

  /** Every row matching the query, following @odata.nextLink. */
  async query<T>(table: TableRef, columns: readonly string[], options: QueryOptions = {}): Promise<Retrieved<T>[]> {
    const lookups = LOOKUP_COLUMNS[table.logicalName] ?? [];
    const params = new URLSearchParams({ $select: selectList(columns, lookups) });
    if (options.filter) params.set("$filter", options.filter);
    if (options.orderBy) params.set("$orderby", options.orderBy);
    if (options.top !== undefined) params.set("$top", String(options.top));
    let search: string | undefined = `?${params.toString()}`;
    const rows: Retrieved<T>[] = [];
    try {
      while (search) {
        const page = await this.webApi.retrieveMultipleRecords(table.logicalName, search, options.pageSize);
        for (const raw of page.entities) rows.push(fromODataRow<T>(raw as Record<string, unknown>, table.primaryId, columns, lookups));
        // The next link repeats the query with a $skiptoken; dataverse-ify takes it as options.
        search = page.nextLink ? new URL(page.nextLink).search : undefined;
      }
    } catch (error) {
      throw toDataverseError(error, `querying ${table.entitySetName}`);
    }
    return rows;
  }

  async delete(table: TableRef, id: string): Promise<void> {
    try {
      await this.xrm.delete(table.logicalName, id);
    } catch (error) {
      throw toDataverseError(error, `deleting ${table.logicalName} ${id}`);
    }
  }

  // ---- opportunities --------------------------------------------------------------------------

  retrieveOpportunity(id: string): Promise<Retrieved<OpportunityValues> | undefined> {
    return this.retrieve<OpportunityValues>(Tables.opportunity, id, OPPORTUNITY_SELECT);
  }

  /** The opportunity linked to a referral (the idempotency check before creating one). */
  async findOpportunityByReferralId(referralId: string): Promise<Retrieved<OpportunityValues> | undefined> {
    const rows = await this.query<OpportunityValues>(Tables.opportunity, OPPORTUNITY_SELECT, {
      filter: `${OpportunityColumns.referralIdentifier} eq ${odataString(referralId)}`,
      orderBy: `${Tables.opportunity.primaryId} asc`,
      top: 2,
    });
    return rows[0];
  }

  createOpportunity(values: OpportunityWrite): Promise<string> {
    return this.create(Tables.opportunity, values);
  }

  updateOpportunity(id: string, values: OpportunityWrite, ifMatch?: string): Promise<string> {
    return this.update(Tables.opportunity, id, values, ifMatch);
  }

  /** Closes as won. Direct call: WinOpportunity is an unbound action taking an opportunityclose entity. */
  winOpportunity(id: string, options: CloseOptions = {}): Promise<void> {
    return this.close("WinOpportunity", id, { status: OpportunityStatusCode.Won, ...options });
  }

  loseOpportunity(id: string, options: CloseOptions = {}): Promise<void> {
    return this.close("LoseOpportunity", id, { status: OpportunityStatusCode.Canceled, ...options });
  }

  private async close(action: "WinOpportunity" | "LoseOpportunity", id: string, options: CloseOptions): Promise<void> {
    const columns = OpportunityCloseColumns;
    const opportunityClose: Record<string, unknown> = {
      [columns.subject]: options.subject ?? (action === "WinOpportunity" ? "Won" : "Lost"),
      [`${columns.opportunity}@odata.bind`]: `/${Tables.opportunity.entitySetName}(${id})`,
    };
    if (options.description !== undefined) opportunityClose[columns.description] = options.description;
    if (options.actualRevenue !== undefined) opportunityClose[columns.actualRevenue] = options.actualRevenue;
    if (options.actualEnd !== undefined) opportunityClose[columns.actualEnd] = options.actualEnd;
    await this.transport.call("POST", action, { body: { Status: options.status, OpportunityClose: opportunityClose } });
  }

  /**
   * Change tracking, page by page: without a delta link the first pages hold every opportunity; the
   * last page carries the delta link for next time, which then returns only rows changed or deleted
   * since. Direct calls: dataverse-ify cannot send Prefer: odata.track-changes nor follow a delta link.
   */
  async *opportunityChanges(deltaLink?: string, pageSize = 500): AsyncGenerator<ChangePage<OpportunityValues>> {
    const table = Tables.opportunity;
    const lookups = LOOKUP_COLUMNS[table.logicalName] ?? [];
    let next: string | undefined =
      deltaLink ?? `${table.entitySetName}?$select=${selectList(OPPORTUNITY_SELECT, lookups)}`;
    while (next) {
      const result = await this.transport.call("GET", next, {
        headers: { Prefer: `odata.track-changes,odata.maxpagesize=${pageSize},${ANNOTATIONS}` },
      });
      const body = result.json as { value?: Record<string, unknown>[]; "@odata.nextLink"?: string; "@odata.deltaLink"?: string };
      const page: ChangePage<OpportunityValues> = { changed: [], deleted: [] };
      for (const row of body.value ?? []) {
        const context = row["@odata.context"];
        if (typeof context === "string" && context.includes("$deletedEntity")) page.deleted.push(String(row["id"]));
        else page.changed.push(fromODataRow<OpportunityValues>(row, table.primaryId, OPPORTUNITY_SELECT, lookups));
      }
      next = body["@odata.nextLink"];
      if (!next) page.deltaLink = body["@odata.deltaLink"];
      yield page;
    }
  }

  // ---- accounts, contacts, currencies -----------------------------------------------------------

  queryAccounts(options: QueryOptions = {}): Promise<Retrieved<AccountValues>[]> {
    return this.query<AccountValues>(Tables.account, ACCOUNT_SELECT, options);
  }

  retrieveAccount(id: string): Promise<Retrieved<AccountValues> | undefined> {
    return this.retrieve<AccountValues>(Tables.account, id, ACCOUNT_SELECT);
  }

  createAccount(values: AccountWrite): Promise<string> {
    return this.create(Tables.account, values);
  }

  updateAccount(id: string, values: AccountWrite, ifMatch?: string): Promise<string> {
    return this.update(Tables.account, id, values, ifMatch);
  }

  queryContacts(options: QueryOptions = {}): Promise<Retrieved<ContactValues>[]> {
    return this.query<ContactValues>(Tables.contact, CONTACT_SELECT, options);
  }

  /** Contacts with this e-mail address (case-insensitive, as Dataverse compares text). */
  findContactsByEmail(email: string): Promise<Retrieved<ContactValues>[]> {
    return this.queryContacts({ filter: `${ContactColumns.email} eq ${odataString(email)}` });
  }

  createContact(values: ContactWrite): Promise<string> {
    return this.create(Tables.contact, values);
  }

  updateContact(id: string, values: ContactWrite, ifMatch?: string): Promise<string> {
    return this.update(Tables.contact, id, values, ifMatch);
  }

  /** The transactioncurrency for an ISO code (cached: currencies are set up once per org). */
  async currencyByIsoCode(isoCode: string): Promise<EntityRef | undefined> {
    const key = isoCode.toUpperCase();
    let id = this.currencyIds.get(key);
    if (!id) {
      const [row] = await this.query<Record<string, unknown>>(Tables.transactionCurrency, [CurrencyColumns.id, CurrencyColumns.isoCode], {
        filter: `${CurrencyColumns.isoCode} eq ${odataString(key)}`,
        top: 1,
      });
      if (!row) return undefined;
      id = row.id;
      this.currencyIds.set(key, id);
    }
    return { logicalName: Tables.transactionCurrency.logicalName, id };
  }

  // ---- org and metadata -------------------------------------------------------------------------

  async whoAmI(): Promise<{ UserId: string; BusinessUnitId: string; OrganizationId: string }> {
    return (await this.transport.call("GET", "WhoAmI")).json as { UserId: string; BusinessUnitId: string; OrganizationId: string };
  }

  /** Logical names of a table's columns (to check a mapping against the org, and that the solution is in). */
  async attributeNames(logicalName: string): Promise<string[]> {
    const result = await this.transport.call("GET", `EntityDefinitions(LogicalName=${odataString(logicalName)})/Attributes?$select=LogicalName`);
    return ((result.json as { value?: { LogicalName: string }[] }).value ?? []).map((attribute) => attribute.LogicalName);
  }

  /** Whether the table answers change-tracking (delta) queries (EntityMetadata.ChangeTrackingEnabled). */
  async changeTrackingEnabled(logicalName: string): Promise<boolean> {
    const result = await this.transport.call("GET", `EntityDefinitions(LogicalName=${odataString(logicalName)})?$select=ChangeTrackingEnabled`);
    return (result.json as { ChangeTrackingEnabled?: boolean }).ChangeTrackingEnabled === true;
  }

  /**
   * Turns change tracking on for a table (an admin's metadata update; it cannot be turned off again).
   * The Web API updates a definition with PUT of the whole definition, so it is read first.
   */
  async enableChangeTracking(logicalName: string): Promise<void> {
    const path = `EntityDefinitions(LogicalName=${odataString(logicalName)})`;
    const definition = (await this.transport.call("GET", path)).json as Record<string, unknown>;
    if (definition["ChangeTrackingEnabled"] === true) return;
    const body = Object.fromEntries(Object.entries(definition).filter(([name]) => !name.startsWith("@odata.context")));
    await this.transport.call("PUT", path, {
      headers: { "MSCRM.MergeLabels": "true" },
      body: { ...body, "@odata.type": "Microsoft.Dynamics.CRM.EntityMetadata", ChangeTrackingEnabled: true },
    });
  }

  /** Imports a solution zip. Direct call: ImportSolution is an action with a large base64 parameter. */
  async importSolution(zip: Buffer, options: { overwriteUnmanagedCustomizations?: boolean; publishWorkflows?: boolean } = {}): Promise<void> {
    await this.transport.call("POST", "ImportSolution", {
      body: {
        OverwriteUnmanagedCustomizations: options.overwriteUnmanagedCustomizations ?? true,
        PublishWorkflows: options.publishWorkflows ?? true,
        CustomizationFile: zip.toString("base64"),
        ImportJobId: crypto.randomUUID(),
      },
    });
  }

  async installedSolution(uniqueName: string): Promise<{ version: string; isManaged: boolean } | undefined> {
    const [row] = await this.query<Record<string, unknown>>(
      RegistrationTables.solution,
      [SolutionColumns.id, SolutionColumns.uniqueName, SolutionColumns.version, SolutionColumns.isManaged],
      { filter: `${SolutionColumns.uniqueName} eq ${odataString(uniqueName)}`, top: 1 },
    );
    return row ? { version: String(row.values[SolutionColumns.version]), isManaged: row.values[SolutionColumns.isManaged] === true } : undefined;
  }
}
