/**
 * What a sync job needs from Dataverse, over the backend's Dataverse client. Reads go through the
 * client (typed rows with etags); writes send the engine's bodies as they are, because the engine
 * already produces Web API JSON (lookups as `x@odata.bind`), and must be conditional (If-Match).
 */
import {
  AccountColumns,
  ContactColumns,
  CurrencyColumns,
  OpportunityColumns,
  OpportunityStandardColumns,
  Tables,
} from "../../entities";
import type { DataverseClient } from "../dataverse/dataverse-client";
import { odataString } from "../dataverse/odata-rows";
import { ACCOUNT_SELECT, CONTACT_SELECT, OPPORTUNITY_SELECT, type EntityRef, type OpportunityValues, type Retrieved } from "../dataverse/records";
import type { CurrencyRef, DataverseRecord } from "../engine";

const REFERRAL_IDS_PER_QUERY = 50;

/** A row as the engine reads it: logical names as keys, lookups as `_x_value`, plus id and etag. */

/** The account → contacts relationship whose lookup is contact.parentcustomerid. */
const ACCOUNT_CONTACTS_RELATIONSHIP = "contact_customer_accounts";
export interface CrmRow {
  id: string;
  etag: string;
  record: DataverseRecord;
}

function isEntityRef(value: unknown): value is EntityRef {
  return typeof value === "object" && value !== null && "id" in value && "logicalName" in value;
}

/** Typed row → the engine's flat Web API shape. */
export function toCrmRow(row: Retrieved<object>, primaryId: string): CrmRow {
  const record: Record<string, unknown> = { [primaryId]: row.id };
  for (const [column, value] of Object.entries(row.values as Record<string, unknown>)) {
    if (isEntityRef(value)) {
      record[`_${column}_value`] = value.id;
      record[`_${column}_value@Microsoft.Dynamics.CRM.lookuplogicalname`] = value.logicalName;
    } else {
      record[column] = value;
    }
  }
  return { id: row.id, etag: row.etag, record };
}

/** The tables whose columns a mapping may re-point. */
export type MappableTable = "opportunity" | "account" | "contact";

const BASE_SELECT: Record<MappableTable, readonly string[]> = { opportunity: OPPORTUNITY_SELECT, account: ACCOUNT_SELECT, contact: CONTACT_SELECT };

export class CrmGateway {
  private currencies: CurrencyRef[] | null = null;

  /**
   * `mappedColumns`: the columns the mapping in force reads on a table (the mapping rows may point a
   * field at any column of the org), read along with the ones the solution defines.
   */
  constructor(
    readonly client: DataverseClient,
    private readonly mappedColumns?: (table: MappableTable) => readonly string[],
  ) {}

  private select(table: MappableTable): readonly string[] {
    const extra = this.mappedColumns?.(table) ?? [];
    return extra.length === 0 ? BASE_SELECT[table] : [...new Set([...BASE_SELECT[table], ...extra])];
  }

  async getOpportunity(id: string): Promise<CrmRow | null> {
    const row = await this.client.retrieve<OpportunityValues>(Tables.opportunity, id, this.select("opportunity"));
    return row ? toCrmRow(row, Tables.opportunity.primaryId) : null;
  }

  /** The opportunity linked to a referral (the idempotency check before creating one): the first by id. */
  async findOpportunityByReferralId(referralId: string): Promise<CrmRow | null> {
    const rows = await this.client.query<OpportunityValues>(Tables.opportunity, this.select("opportunity"), {
      filter: `${OpportunityColumns.referralIdentifier} eq ${odataString(referralId)}`,
      orderBy: `${Tables.opportunity.primaryId} asc`,
      top: 2,
    });
    return rows[0] ? toCrmRow(rows[0], Tables.opportunity.primaryId) : null;
  }

  private queryAccounts(options: Parameters<DataverseClient["query"]>[2]): Promise<Retrieved<object>[]> {
    return this.client.query<object>(Tables.account, this.select("account"), options);
  }

  private queryContacts(options: Parameters<DataverseClient["query"]>[2]): Promise<Retrieved<object>[]> {
    return this.client.query<object>(Tables.contact, this.select("contact"), options);
  }

  /**
   * The opportunities carrying any of these referral ids, by referral id (lower case): one query per
   * chunk of ids instead of one per referral, for the backfill's pages. The first row by id wins, as
   * in findOpportunityByReferralId.
   */
  async opportunitiesByReferralIds(referralIds: readonly string[]): Promise<Map<string, CrmRow>> {
    const found = new Map<string, CrmRow>();
    const column = OpportunityColumns.referralIdentifier;
    // Chunks keep the GET's URL well under Dataverse's limit (ids are ~40 characters each).
    for (let i = 0; i < referralIds.length; i += REFERRAL_IDS_PER_QUERY) {
      const chunk = referralIds.slice(i, i + REFERRAL_IDS_PER_QUERY);
      const rows = await this.client.query<OpportunityValues>(Tables.opportunity, this.select("opportunity"), {
        filter: chunk.map((id) => `${column} eq ${odataString(id)}`).join(" or "),
        orderBy: `${Tables.opportunity.primaryId} asc`,
      });
      for (const row of rows) {
        const referralId = (row.values as Record<string, unknown>)[column];
        if (typeof referralId !== "string") continue;
        const key = referralId.toLowerCase();
        if (!found.has(key)) found.set(key, toCrmRow(row, Tables.opportunity.primaryId));
      }
    }
    return found;
  }

  /** PATCH with If-Match (412 when someone wrote since we read). */
  async updateOpportunity(id: string, etag: string, body: Record<string, unknown>): Promise<void> {
    await this.client.transport.call("PATCH", `${Tables.opportunity.entitySetName}(${id})`, { headers: { "If-Match": etag }, body });
  }

  async createOpportunity(body: Record<string, unknown>): Promise<string> {
    return this.createRaw(Tables.opportunity.entitySetName, Tables.opportunity.primaryId, body);
  }

  async closeOpportunity(id: string, outcome: "won" | "lost", statusCode: number, description: string | null): Promise<void> {
    const options = { status: statusCode, ...(description ? { description } : {}) };
    if (outcome === "won") await this.client.winOpportunity(id, options);
    else await this.client.loseOpportunity(id, options);
  }

  /** The org's currencies, read once; read again when a currency is not found (an admin added one). */
  async currencyList(refresh = false): Promise<CurrencyRef[]> {
    if (!this.currencies || refresh) {
      const rows = await this.client.query<Record<string, unknown>>(Tables.transactionCurrency, [CurrencyColumns.id, CurrencyColumns.isoCode]);
      this.currencies = rows.map((row) => ({ id: row.id, isoCode: String(row.values[CurrencyColumns.isoCode] ?? "") }));
    }
    return this.currencies;
  }

  async getAccount(id: string): Promise<CrmRow | null> {
    const row = await this.client.retrieve<object>(Tables.account, id, this.select("account"));
    return row ? toCrmRow(row, Tables.account.primaryId) : null;
  }

  /**
   * Accounts that could be this customer: same name start, or same country and postal code. The
   * matcher decides; this only keeps the candidate list small.
   */
  async accountCandidates(name: string | null, postalCode: string | null): Promise<CrmRow[]> {
    const clauses: string[] = [];
    const trimmed = name?.trim();
    const firstWord = trimmed?.split(/\s+/)[0];
    // The first word alone is too broad where many accounts share it ("Contoso …"): the 50 returned
    // could all be others and the customer's own account missed, then created twice. With a postal
    // code, name-alike accounts are looked for there; the exact name is always a candidate.
    if (trimmed) clauses.push(`${AccountColumns.name} eq ${odataString(trimmed)}`);
    if (postalCode) clauses.push(`${AccountColumns.postalCode} eq ${odataString(postalCode)}`);
    else if (firstWord) clauses.push(`startswith(${AccountColumns.name},${odataString(firstWord)})`);
    if (clauses.length === 0) return [];
    const rows = await this.queryAccounts({ filter: clauses.join(" or "), top: 50 });
    return rows.map((row) => toCrmRow(row, Tables.account.primaryId));
  }

  /** Every account matching an OData filter, all pages (the backfill's lookups for a page of referrals). */
  protected async accountsWhere(filter: string): Promise<CrmRow[]> {
    const rows = await this.queryAccounts({ filter });
    return rows.map((row) => toCrmRow(row, Tables.account.primaryId));
  }

  /** Every contact matching an OData filter, all pages. */
  protected async contactsWhere(filter: string): Promise<CrmRow[]> {
    const rows = await this.queryContacts({ filter });
    return rows.map((row) => toCrmRow(row, Tables.contact.primaryId));
  }

  async createAccount(body: Record<string, unknown>): Promise<string> {
    return this.createRaw(Tables.account.entitySetName, Tables.account.primaryId, body);
  }

  /**
   * A new account with its new contacts in one request (deep insert through the account's
   * contact_customer_accounts relationship: each contact's parentcustomerid is the new account).
   * The service protection quota counts requests, so this is what bounds a backfill.
   */
  async createAccountWithContacts(account: Record<string, unknown>, contacts: readonly Record<string, unknown>[]): Promise<string> {
    const body = contacts.length > 0 ? { ...account, [ACCOUNT_CONTACTS_RELATIONSHIP]: contacts } : account;
    return this.createRaw(Tables.account.entitySetName, Tables.account.primaryId, body);
  }

  async contactsOfAccount(accountId: string): Promise<CrmRow[]> {
    const rows = await this.queryContacts({ filter: `_${ContactColumns.parentCustomer}_value eq ${accountId}`, top: 50 });
    return rows.map((row) => toCrmRow(row, Tables.contact.primaryId));
  }

  async contactsByEmail(emails: readonly string[]): Promise<CrmRow[]> {
    if (emails.length === 0) return [];
    const filter = emails.map((e) => `${ContactColumns.email} eq ${odataString(e)}`).join(" or ");
    const rows = await this.queryContacts({ filter, top: 50 });
    return rows.map((row) => toCrmRow(row, Tables.contact.primaryId));
  }

  async getContact(id: string): Promise<CrmRow | null> {
    const rows = await this.queryContacts({ filter: `${Tables.contact.primaryId} eq ${id}`, top: 1 });
    return rows[0] ? toCrmRow(rows[0], Tables.contact.primaryId) : null;
  }

  async createContact(body: Record<string, unknown>): Promise<string> {
    return this.createRaw(Tables.contact.entitySetName, Tables.contact.primaryId, body);
  }

  /** POST, reading the new id from OData-EntityId (the documented 204 answer). */
  private async createRaw(entitySet: string, primaryId: string, body: Record<string, unknown>): Promise<string> {
    const result = await this.client.transport.call("POST", entitySet, { body });
    const entityId = result.headers["odata-entityid"];
    const fromHeader = entityId ? /\(([0-9a-f-]{36})\)\s*$/i.exec(entityId)?.[1] : undefined;
    const fromBody = (result.json as Record<string, unknown> | undefined)?.[primaryId];
    const id = fromHeader ?? (typeof fromBody === "string" ? fromBody : undefined);
    if (!id) throw new Error(`Dataverse created a row in ${entitySet} but returned no id`);
    return id.toLowerCase();
  }
}

/** The account an opportunity belongs to: parentaccountid, else customerid when it is an account. */
export function opportunityAccountId(record: DataverseRecord): string | null {
  const parent = record[`_${OpportunityStandardColumns.parentAccount}_value`];
  if (typeof parent === "string") return parent;
  const customer = record[`_${OpportunityStandardColumns.customer}_value`];
  const customerTable = record[`_${OpportunityStandardColumns.customer}_value@Microsoft.Dynamics.CRM.lookuplogicalname`];
  return typeof customer === "string" && customerTable === Tables.account.logicalName ? customer : null;
}
