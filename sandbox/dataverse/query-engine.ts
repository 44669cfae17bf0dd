/**
 * Evaluates a collection query over stored rows: $filter, $orderby, $top, $count and server-driven
 * paging (Prefer: odata.maxpagesize → @odata.nextLink with an opaque $skiptoken). String comparisons
 * are case- and accent-insensitive, as Dataverse's database collation (CI_AI) makes them: "societa"
 * finds "Società".
 */
import type { StoredRecord } from "./entity-store";
import { badQuery, unknownQueryProperty } from "./odata-error";
import { filterProperties, type FilterExpression, type Literal, type Operand } from "./odata-filter";
import type { Preferences, QueryOptions } from "./query-options";
import { propertyValue, resolveProperty, serializeRecord } from "./record-serializer";
import type { SandboxContext } from "./sandbox-context";
import { navigationProperties, type AttributeMeta, type TableMeta } from "./schema-types";

/** Dataverse's default and largest page size. */
const DEFAULT_PAGE_SIZE = 5000;

type Comparable = string | number | boolean | null;

/** Text as a CI_AI collation compares it: letter case and accents (combining marks) ignored. */
export const foldText = (text: string): string => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

function normalize(value: unknown, attribute: AttributeMeta | undefined): Comparable {
  if (value === null || value === undefined) return null;
  if (attribute?.type === "DateTime" && typeof value === "string") {
    return attribute.dateOnly ? value.slice(0, 10) : Date.parse(value);
  }
  if (typeof value === "string") return foldText(value);
  if (typeof value === "number" || typeof value === "boolean") return value;
  return String(value);
}

/** A literal as compared with `other`: one compared with a date column is read as that column's kind of date. */
function literalValue(table: TableMeta, literal: Literal, other: Operand): Comparable {
  const attribute = other.kind === "property" ? resolveProperty(table, other.name) : undefined;
  if (literal.type === "datetime" && attribute?.type === "DateTime") return normalize(literal.value, attribute);
  return normalize(literal.value, undefined);
}

function operandValue(table: TableMeta, record: StoredRecord, operand: Operand, other: Operand): Comparable {
  if (operand.kind === "property") {
    const attribute = resolveProperty(table, operand.name);
    return normalize(propertyValue(record, attribute), attribute);
  }
  return literalValue(table, operand, other);
}

function compare(operator: string, left: Comparable, right: Comparable): boolean {
  if (operator === "eq") return left === right;
  if (operator === "ne") return left !== right;
  if (left === null || right === null) return false;
  switch (operator) {
    case "gt":
      return left > right;
    case "ge":
      return left >= right;
    case "lt":
      return left < right;
    default:
      return left <= right;
  }
}

export function matches(table: TableMeta, record: StoredRecord, expression: FilterExpression): boolean {
  switch (expression.kind) {
    case "and":
      return matches(table, record, expression.left) && matches(table, record, expression.right);
    case "or":
      return matches(table, record, expression.left) || matches(table, record, expression.right);
    case "not":
      return !matches(table, record, expression.operand);
    case "compare":
      return compare(
        expression.operator,
        operandValue(table, record, expression.left, expression.right),
        operandValue(table, record, expression.right, expression.left),
      );
    case "call": {
      const haystack = operandValue(table, record, expression.property, expression.argument);
      const needle = operandValue(table, record, expression.argument, expression.property);
      if (typeof haystack !== "string" || typeof needle !== "string") return false;
      if (expression.name === "contains") return haystack.includes(needle);
      if (expression.name === "startswith") return haystack.startsWith(needle);
      return haystack.endsWith(needle);
    }
  }
}

function sortRows(table: TableMeta, rows: StoredRecord[], options: QueryOptions): StoredRecord[] {
  const keys = options.orderBy.map((order) => ({ attribute: resolveProperty(table, order.property), descending: order.descending }));
  return [...rows].sort((a, b) => {
    for (const { attribute, descending } of keys) {
      const left = normalize(propertyValue(a, attribute), attribute);
      const right = normalize(propertyValue(b, attribute), attribute);
      if (left === right) continue;
      // Nulls sort first ascending, as in SQL Server.
      const order = left === null ? -1 : right === null ? 1 : left < right ? -1 : 1;
      return descending ? -order : order;
    }
    return a.sequence - b.sequence;
  });
}

/**
 * Checks every name in $select / $filter / $expand before any row is read, so an empty table (or a
 * filter whose unknown name sits in a branch no row reaches) still answers 400, as Dataverse does.
 */
export function validateProjection(table: TableMeta, options: QueryOptions): void {
  for (const name of options.select ?? []) resolveProperty(table, name);
  for (const name of options.filter ? filterProperties(options.filter) : []) resolveProperty(table, name);
  const navigation = navigationProperties(table);
  for (const expand of options.expand) {
    if (!navigation.has(expand.navigationProperty)) throw unknownQueryProperty(expand.navigationProperty, table.logicalName);
  }
}

/** The column and comparable value of `column eq literal` (either way round), else undefined. */
function equalityOn(table: TableMeta, expression: FilterExpression): { attribute: AttributeMeta; key: Comparable } | undefined {
  if (expression.kind !== "compare" || expression.operator !== "eq") return undefined;
  const { left, right } = expression;
  if (left.kind === "property" && right.kind === "literal") return { attribute: resolveProperty(table, left.name), key: literalValue(table, right, left) };
  if (right.kind === "property" && left.kind === "literal") return { attribute: resolveProperty(table, right.name), key: literalValue(table, left, right) };
  return undefined;
}

/** The branches of a chain of `or`s (`a or b or c` parses as `(a or b) or c`). */
function orBranches(expression: FilterExpression): FilterExpression[] {
  return expression.kind === "or" ? [...orBranches(expression.left), ...orBranches(expression.right)] : [expression];
}

function byColumnKey(context: SandboxContext, table: TableMeta, attribute: AttributeMeta, keys: Comparable[]): StoredRecord[] {
  const keyOf = (record: StoredRecord) => normalize(propertyValue(record, attribute), attribute);
  return context.store.rowsWhere(table.logicalName, attribute.logicalName, attribute, keyOf, keys);
}

/**
 * Rows an equality filter can only be among, read from column indexes, in insertion order; undefined
 * when the filter needs a scan (a `not`, a range, a string function, or an `or` with such a branch).
 * `and` takes its narrower side. The caller still runs the whole filter over these rows, so the
 * answer (rows, order, pages, etags) is the scan's: the index only skips rows that cannot match.
 */
function indexedRows(context: SandboxContext, table: TableMeta, expression: FilterExpression): StoredRecord[] | undefined {
  if (expression.kind === "and") {
    const left = indexedRows(context, table, expression.left);
    const right = indexedRows(context, table, expression.right);
    if (!left || !right) return left ?? right;
    return left.length <= right.length ? left : right;
  }
  const branches = orBranches(expression);
  const keysByColumn = new Map<AttributeMeta, Comparable[]>();
  const nested: StoredRecord[][] = [];
  for (const branch of branches) {
    const equality = equalityOn(table, branch);
    if (equality) {
      const keys = keysByColumn.get(equality.attribute) ?? [];
      keys.push(equality.key);
      keysByColumn.set(equality.attribute, keys);
      continue;
    }
    // An `and` inside an `or` may still be narrowed by one of its sides.
    const rows = branch.kind === "and" ? indexedRows(context, table, branch) : undefined;
    if (!rows) return undefined;
    nested.push(rows);
  }
  const found = [...keysByColumn].map(([attribute, keys]) => byColumnKey(context, table, attribute, keys));
  if (found.length + nested.length === 1) return found[0] ?? nested[0];
  const union = new Map([...found, ...nested].flat().map((row) => [row.id, row]));
  return [...union.values()].sort((a, b) => a.sequence - b.sequence);
}

function candidateRows(context: SandboxContext, table: TableMeta, filter: FilterExpression): StoredRecord[] {
  return indexedRows(context, table, filter) ?? context.store.list(table.logicalName);
}

const SKIP_TOKEN = /pagenumber="(\d+)"/;

export interface QueryResult {
  value: Record<string, unknown>[];
  count?: number;
  nextLink?: string;
}

/**
 * Runs a collection query. `requestUrl` is the path + query the client called, used to build the
 * next link (Dataverse repeats the original options and adds $skiptoken).
 */
export function runQuery(
  context: SandboxContext,
  table: TableMeta,
  options: QueryOptions,
  preferences: Preferences,
  requestUrl: string,
): QueryResult {
  validateProjection(table, options);
  let rows = options.filter ? candidateRows(context, table, options.filter) : context.store.list(table.logicalName);
  if (options.filter) {
    const filter = options.filter;
    rows = rows.filter((row) => matches(table, row, filter));
  }
  rows = sortRows(table, rows, options);
  const total = rows.length;
  let nextLink: string | undefined;
  if (options.top !== undefined) {
    rows = rows.slice(0, options.top);
  } else {
    const pageSize = Math.min(preferences.maxPageSize ?? DEFAULT_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    let page = 1;
    if (options.skipToken !== undefined) {
      const match = SKIP_TOKEN.exec(options.skipToken);
      if (!match?.[1]) throw badQuery("The $skiptoken is invalid.");
      page = Number(match[1]);
    }
    const start = (page - 1) * pageSize;
    if (start + pageSize < rows.length) {
      // Like Dataverse: the original query as sent, plus a $skiptoken (keys keep their literal "$").
      const [path = "", query = ""] = requestUrl.split(/\?(.*)/s);
      const kept = query.split("&").filter((part) => part && !/^(\$|%24)skiptoken=/i.test(part));
      kept.push(`$skiptoken=${encodeURIComponent(`<cookie pagenumber="${page + 1}" istracking="False" />`)}`);
      nextLink = `${context.orgUrl}${path}?${kept.join("&")}`;
    }
    rows = rows.slice(start, start + pageSize);
  }
  return {
    value: rows.map((row) => serializeRecord(context, table, row, { select: options.select, expand: options.expand, preferences })),
    count: options.count ? Math.min(total, DEFAULT_PAGE_SIZE) : undefined,
    nextLink,
  };
}
