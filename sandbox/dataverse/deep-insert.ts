/**
 * Deep insert (create-entity-web-api.md, "Create related table rows in one operation"): a POST body
 * may hold, under a single-valued navigation property, the object of a new related row (created
 * first and bound), and under a collection-valued navigation property (a one-to-many relationship's
 * name, e.g. contact_customer_accounts) an array of new rows that point back at the new one. The
 * whole tree is one transaction: if any row fails, none is kept and no webhook fires.
 */
import { Tables } from "../../entities";
import type { StoredRecord } from "./entity-store";
import type { RecordOperations } from "./record-operations";
import { readPayload, requireObjectBody } from "./payload-reader";
import type { SandboxContext } from "./sandbox-context";
import { navigationProperties, type TableMeta } from "./schema-types";
import { recordPrivilege, type Identity } from "./security";

/** One-to-many relationships by their schema name: the parent's collection of child rows. */
interface OneToMany {
  parent: string;
  child: string;
  /** The child's single-valued navigation property that points at the parent. */
  childNavigation: string;
}

const ONE_TO_MANY: Record<string, OneToMany> = {
  contact_customer_accounts: { parent: Tables.account.logicalName, child: Tables.contact.logicalName, childNavigation: "parentcustomerid_account" },
  opportunity_parent_account: { parent: Tables.account.logicalName, child: Tables.opportunity.logicalName, childNavigation: "parentaccountid" },
  opportunity_parent_contact: { parent: Tables.contact.logicalName, child: Tables.opportunity.logicalName, childNavigation: "parentcontactid" },
};

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

export function isDeepInsert(table: TableMeta, body: unknown): boolean {
  if (!isPlainObject(body)) return false;
  const navigation = navigationProperties(table);
  return Object.entries(body).some(([key, value]) =>
    (navigation.has(key) && isPlainObject(value)) || (ONE_TO_MANY[key]?.parent === table.logicalName && Array.isArray(value)));
}

/** Creates the row of `body` with its related new rows; returns the top row. Throws on the first failure. */
export function deepCreate(context: SandboxContext, operations: RecordOperations, identity: Identity, table: TableMeta, body: unknown): StoredRecord {
  const payload = requireObjectBody(body);
  const navigation = navigationProperties(table);
  const own: Record<string, unknown> = {};
  const children: { relationship: OneToMany; rows: unknown[] }[] = [];
  for (const [key, value] of Object.entries(payload)) {
    const single = navigation.get(key);
    const relationship = ONE_TO_MANY[key];
    const target = single ? context.schema.table(single.target) : undefined;
    if (single && target && isPlainObject(value)) {
      const related = deepCreate(context, operations, identity, target, value);
      own[`${key}@odata.bind`] = `/${target.entitySetName}(${related.id})`;
    } else if (relationship?.parent === table.logicalName && Array.isArray(value)) {
      children.push({ relationship, rows: value });
    } else {
      own[key] = value;
    }
  }
  context.security.require(identity, recordPrivilege("Create", table.logicalName, table.schemaName), table.logicalName, table.objectTypeCode);
  const record = operations.create(table, readPayload(context, table, own));
  for (const { relationship, rows } of children) {
    const childTable = context.schema.table(relationship.child);
    if (!childTable) continue;
    for (const row of rows) {
      deepCreate(context, operations, identity, childTable, { ...requireObjectBody(row), [`${relationship.childNavigation}@odata.bind`]: `/${table.entitySetName}(${record.id})` });
    }
  }
  return record;
}
