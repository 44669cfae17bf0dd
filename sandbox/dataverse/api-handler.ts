/**
 * The Web API surface below /api/data/v9.2/, independent of fastify so that $batch can run the
 * requests it carries through exactly the same code. One call = one request: resource path, query,
 * headers and body in; status, headers and body out. Errors are thrown as ODataError.
 */
import { RegistrationTables, SolutionColumns } from "../../entities";
import { guidKey, parseResourcePath, type PathSegment } from "./api-path";
import { runDeltaQuery } from "./change-tracking";
import { deepCreate, isDeepInsert } from "./deep-insert";
import { readMetadata, updateEntityDefinition } from "./metadata-routes";
import { badQuery, ErrorCode, notFound, ODataError, unknownSegment } from "./odata-error";
import { closeOpportunity } from "./opportunity-actions";
import { readPayload, requireObjectBody } from "./payload-reader";
import { runQuery, validateProjection } from "./query-engine";
import { parsePreferences, parseQueryOptions, type Preferences } from "./query-options";
import type { RecordOperations } from "./record-operations";
import { serializeRecord } from "./record-serializer";
import { apiBase, etagOf, type SandboxContext } from "./sandbox-context";
import type { TableMeta } from "./schema-types";
import { bearerToken, recordPrivilege, type Identity } from "./security";
import { importSolution } from "./solution-import";

export interface ApiRequest {
  method: string;
  /** Path below the API root, without query ("opportunities(…)"). */
  resourcePath: string;
  /** Path + query as the client sent it (for next links). */
  url: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export interface ApiDependencies {
  context: SandboxContext;
  operations: RecordOperations;
  /** Runs a $batch body (set by the batch module, which itself calls back into handleApiRequest). */
  runBatch?: (request: ApiRequest) => Promise<ApiResponse>;
  /** Counts one request of a $batch against the caller's service protection limits. */
  countBatchRequest?: (authorization: string | string[] | undefined) => void;
}

const header = (request: ApiRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function preferenceApplied(preferences: Preferences, extra: string[] = []): Record<string, string> {
  const applied = [...extra];
  if (preferences.includeAnnotations.length > 0) applied.push(`odata.include-annotations="${preferences.includeAnnotations.join(",")}"`);
  return applied.length > 0 ? { "preference-applied": applied.join(",") } : {};
}

const entityUrl = (context: SandboxContext, table: TableMeta, id: string) => `${apiBase(context)}/${table.entitySetName}(${id})`;

function selectContext(context: SandboxContext, table: TableMeta, select: string[] | undefined, suffix = ""): string {
  return `${apiBase(context)}/$metadata#${table.entitySetName}${select ? `(${select.join(",")})` : ""}${suffix}`;
}

async function handleCollection(deps: ApiDependencies, table: TableMeta, request: ApiRequest, preferences: Preferences, identity: Identity): Promise<ApiResponse> {
  const { context, operations } = deps;
  const requirePrivilege = (action: "Read" | "Create") =>
    context.security.require(identity, recordPrivilege(action, table.logicalName, table.schemaName), table.logicalName, table.objectTypeCode);
  if (request.method === "GET" || request.method === "POST") requirePrivilege(request.method === "GET" ? "Read" : "Create");
  const options = parseQueryOptions(request.query);
  if (request.method === "GET") {
    if (preferences.trackChanges || options.deltaToken !== undefined) {
      return { status: 200, headers: preferenceApplied(preferences, preferences.trackChanges ? ["odata.track-changes"] : []), body: runDeltaQuery(context, table, options, preferences) };
    }
    const result = runQuery(context, table, options, preferences, request.url);
    const body: Record<string, unknown> = { "@odata.context": selectContext(context, table, options.select) };
    if (result.count !== undefined) body["@odata.count"] = result.count;
    body["value"] = result.value;
    if (result.nextLink) body["@odata.nextLink"] = result.nextLink;
    const applied = preferences.maxPageSize !== undefined ? [`odata.maxpagesize=${preferences.maxPageSize}`] : [];
    return { status: 200, headers: preferenceApplied(preferences, applied), body };
  }
  if (request.method === "POST") {
    validateProjection(table, options);
    const record = isDeepInsert(table, request.body)
      ? await createTree(deps, identity, table, request.body)
      : operations.create(table, readPayload(context, table, request.body));
    const location = entityUrl(context, table, record.id);
    if (preferences.returnRepresentation) {
      const body = { "@odata.context": selectContext(context, table, options.select, "/$entity"), ...serializeRecord(context, table, record, { select: options.select, expand: options.expand, preferences }) };
      return { status: 201, headers: { "odata-entityid": location, location, ...preferenceApplied(preferences, ["return=representation"]) }, body };
    }
    return { status: 204, headers: { "odata-entityid": location } };
  }
  throw new ODataError(405, ErrorCode.InvalidArgument, `The HTTP method '${request.method}' is not allowed on an entity set.`);
}

/** A deep insert: every row of the tree or none (rows restored, no webhook) when one fails. */
async function createTree(deps: ApiDependencies, identity: Identity, table: TableMeta, body: unknown) {
  const { context, operations } = deps;
  const savepoint = context.store.savepoint();
  let created: ReturnType<typeof deepCreate> | undefined;
  let failure: unknown;
  await operations.inTransaction(async () => {
    try {
      created = deepCreate(context, operations, identity, table, body);
      return true;
    } catch (error) {
      failure = error;
      return false;
    }
  });
  if (!created) {
    context.store.rollbackTo(savepoint);
    throw failure;
  }
  context.store.release(savepoint);
  return created;
}

async function handleEntity(deps: ApiDependencies, table: TableMeta, segment: PathSegment, request: ApiRequest, preferences: Preferences, identity: Identity): Promise<ApiResponse> {
  const { context, operations } = deps;
  const id = guidKey(segment.key);
  if (!id) throw badQuery(`Bad Request - Error in query syntax: '${segment.key ?? ""}' is not a valid key for ${table.entitySetName}.`);
  const options = parseQueryOptions(request.query);
  validateProjection(table, options);
  const current = context.store.get(table.logicalName, id);
  // PATCH of a missing key creates the row (upsert): then it is the create privilege that counts.
  const action = request.method === "GET" ? "Read" : request.method === "DELETE" ? "Delete" : current ? "Write" : "Create";
  context.security.require(identity, recordPrivilege(action, table.logicalName, table.schemaName), table.logicalName, table.objectTypeCode);
  const ifMatch = header(request, "if-match");
  const ifNoneMatch = header(request, "if-none-match");
  switch (request.method) {
    case "GET": {
      if (!current) throw notFound(table.logicalName, id);
      if (ifNoneMatch && ifNoneMatch === etagOf(current.version)) return { status: 304, headers: { etag: ifNoneMatch } };
      const body = { "@odata.context": selectContext(context, table, options.select, "/$entity"), ...serializeRecord(context, table, current, { select: options.select, expand: options.expand, preferences }) };
      return { status: 200, headers: { etag: etagOf(current.version), ...preferenceApplied(preferences) }, body };
    }
    case "PATCH": {
      operations.checkPreconditions(table, id, current, ifMatch, ifNoneMatch);
      const values = readPayload(context, table, request.body);
      // PATCH on a missing key creates the row (upsert) unless If-Match forbade it above.
      const record = current ? operations.update(table, current, values) : operations.create(table, values, id);
      const headers: Record<string, string> = { "odata-entityid": entityUrl(context, table, record.id) };
      if (preferences.returnRepresentation) {
        const body = { "@odata.context": selectContext(context, table, options.select, "/$entity"), ...serializeRecord(context, table, record, { select: options.select, expand: options.expand, preferences }) };
        return { status: current ? 200 : 201, headers: { ...headers, ...preferenceApplied(preferences, ["return=representation"]) }, body };
      }
      return { status: 204, headers };
    }
    case "DELETE":
      operations.checkPreconditions(table, id, current, ifMatch);
      operations.delete(table, id);
      return { status: 204, headers: {} };
    default:
      throw new ODataError(405, ErrorCode.InvalidArgument, `The HTTP method '${request.method}' is not allowed on an entity.`);
  }
}

async function handleImportSolution(deps: ApiDependencies, request: ApiRequest): Promise<ApiResponse> {
  const { context, operations } = deps;
  const payload = requireObjectBody(request.body);
  const file = payload["CustomizationFile"];
  if (typeof file !== "string" || file.length === 0) throw new ODataError(400, ErrorCode.InvalidArgument, "CustomizationFile is required.");
  const imported = await importSolution(context.schema, file);
  for (const role of imported.roles) context.security.defineRole(role.name, role.privileges);
  const solutions = context.schema.table(RegistrationTables.solution.logicalName);
  if (solutions) {
    const values = {
      [SolutionColumns.uniqueName]: imported.uniqueName,
      [SolutionColumns.friendlyName]: imported.friendlyName,
      [SolutionColumns.version]: imported.version,
      [SolutionColumns.isManaged]: imported.isManaged,
    };
    const existing = context.store.list(solutions.logicalName).find((row) => row.values[SolutionColumns.uniqueName] === imported.uniqueName);
    if (existing) operations.update(solutions, existing, values);
    else operations.create(solutions, { ...values, installedon: context.clock.nowIso() });
  }
  return { status: 204, headers: {} };
}

/** A JSON body must say so (compose-http-requests-handle-errors.md): a write without it changes nothing. */
function requireJsonContentType(request: ApiRequest): void {
  const contentType = header(request, "content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType.trim())) {
    throw new ODataError(
      415,
      ErrorCode.UnsupportedMediaType,
      `The request's Content-Type is '${contentType || "(none)"}': a request with a JSON body must send Content-Type: application/json.`,
    );
  }
}

export async function handleApiRequest(deps: ApiDependencies, request: ApiRequest): Promise<ApiResponse> {
  const { context, operations } = deps;
  const preferences = parsePreferences(request.headers["prefer"]);
  const segments = parseResourcePath(request.resourcePath);
  const [first, second] = segments;
  if (["POST", "PATCH", "PUT"].includes(request.method) && first?.name !== "$batch") requireJsonContentType(request);
  const identity = context.security.identityOf(bearerToken(request.headers["authorization"]));
  const requirePrivilege = (privilege: string, logicalName: string, objectTypeCode = 0) => context.security.require(identity, privilege, logicalName, objectTypeCode);
  if (!first) {
    const value = context.schema.tables().map((table) => ({ name: table.entitySetName, kind: "EntitySet", url: table.entitySetName }));
    return { status: 200, headers: {}, body: { "@odata.context": `${apiBase(context)}/$metadata`, value } };
  }
  const action = (method: string) => {
    if (request.method !== method) throw new ODataError(405, ErrorCode.InvalidArgument, `'${first.name}' must be called with ${method}.`);
  };
  switch (first.name) {
    case "$batch":
      action("POST");
      if (!deps.runBatch) throw unknownSegment(first.name);
      return deps.runBatch(request);
    case "EntityDefinitions":
      requirePrivilege(request.method === "PUT" ? "prvWriteEntity" : "prvReadEntity", "entity", 9800);
      if (request.method === "PUT") {
        updateEntityDefinition(context, segments, requireObjectBody(request.body));
        return { status: 204, headers: {} };
      }
      action("GET");
      return { status: 200, headers: {}, body: readMetadata(context, segments, parseQueryOptions(request.query)) };
    case "WhoAmI":
      action("GET");
      return {
        status: 200,
        headers: {},
        body: { "@odata.context": `${apiBase(context)}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`, BusinessUnitId: context.businessUnitId, UserId: identity.userId, OrganizationId: context.organizationId },
      };
    case "WinOpportunity":
    case "LoseOpportunity":
      action("POST");
      // Closing writes the opportunity and creates its opportunityclose activity.
      requirePrivilege(recordPrivilege("Write", "opportunity"), "opportunity", 3);
      requirePrivilege(recordPrivilege("Create", "opportunityclose"), "opportunityclose", 4208);
      closeOpportunity(context, operations, first.name === "WinOpportunity" ? "Won" : "Lost", request.body);
      return { status: 204, headers: {} };
    case "ImportSolution":
      action("POST");
      requirePrivilege("prvImportCustomizations", "solution", 7100);
      return handleImportSolution(deps, request);
  }
  const table = context.schema.tableForSet(first.name);
  if (second) throw unknownSegment(second.name);
  return first.key === undefined ? handleCollection(deps, table, request, preferences, identity) : handleEntity(deps, table, first, request, preferences, identity);
}
