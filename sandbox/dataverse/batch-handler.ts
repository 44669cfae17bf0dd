/**
 * $batch (multipart/mixed): runs each request of the batch through the same Web API handler, in order.
 * A change set is atomic: if one of its requests fails, the rows are restored to what they were before
 * the change set and only the failed response is returned for it; `$n` in a change set URL refers to
 * the entity created by the request with Content-ID n. Without `Prefer: odata.continue-on-error` the
 * batch stops at the first failure, as Dataverse does. A change set's webhooks go out only when it
 * commits: a rolled-back change set fires none.
 */
import { randomUUID } from "node:crypto";
import { handleApiRequest, type ApiDependencies, type ApiRequest, type ApiResponse } from "./api-handler";
import { badQuery, ODataError } from "./odata-error";
import { API_PATH } from "./sandbox-context";

interface HttpPart {
  contentId?: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

type BatchItem = { kind: "request"; part: HttpPart } | { kind: "changeset"; parts: HttpPart[] };

const STATUS_TEXT: Record<number, string> = {
  200: "OK", 201: "Created", 204: "No Content", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized",
  404: "Not Found", 405: "Method Not Allowed", 412: "Precondition Failed", 429: "Too Many Requests", 500: "Internal Server Error",
};

function boundaryOf(contentType: string | undefined): string {
  const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType ?? "")?.[2];
  if (!boundary) throw badQuery("The batch request must have a multipart/mixed Content-Type with a boundary.");
  return boundary;
}

function splitParts(body: string, boundary: string): string[] {
  const parts: string[] = [];
  for (const chunk of body.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith("--")) break;
    parts.push(chunk.replace(/^\n/, ""));
  }
  return parts;
}

function splitHeaders(text: string): { headers: Record<string, string>; rest: string } {
  const end = text.indexOf("\n\n");
  const head = end < 0 ? text : text.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of head.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, rest: end < 0 ? "" : text.slice(end + 2) };
}

function parseHttpPart(text: string): HttpPart {
  const mime = splitHeaders(text);
  const lines = mime.rest.replace(/^\n+/, "");
  const lineEnd = lines.indexOf("\n");
  const requestLine = lineEnd < 0 ? lines : lines.slice(0, lineEnd);
  const [method = "", url = ""] = requestLine.trim().split(/\s+/);
  const http = splitHeaders(lineEnd < 0 ? "" : lines.slice(lineEnd + 1));
  return { contentId: mime.headers["content-id"], method: method.toUpperCase(), url, headers: http.headers, body: http.rest.trim() };
}

export function parseBatch(body: string, contentType: string | undefined): BatchItem[] {
  const text = body.replace(/\r\n/g, "\n");
  return splitParts(text, boundaryOf(contentType)).map((raw) => {
    const { headers, rest } = splitHeaders(raw);
    if ((headers["content-type"] ?? "").toLowerCase().startsWith("multipart/mixed")) {
      return { kind: "changeset", parts: splitParts(rest, boundaryOf(headers["content-type"])).map(parseHttpPart) };
    }
    return { kind: "request", part: parseHttpPart(raw) };
  });
}

function toApiRequest(part: HttpPart, outer: ApiRequest, createdUrls: Map<string, string>): ApiRequest {
  let url = part.url;
  const reference = /^\$(\d+)/.exec(url);
  if (reference?.[1] && createdUrls.has(reference[1])) url = url.replace(reference[0], createdUrls.get(reference[1]) ?? "");
  url = url.replace(/^https?:\/\/[^/]+/i, "");
  if (url.startsWith(`${API_PATH}/`)) url = url.slice(API_PATH.length + 1);
  url = url.replace(/^\//, "");
  const [path = "", queryString = ""] = url.split(/\?(.*)/s);
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(queryString)) query[name] = value;
  return {
    method: part.method,
    resourcePath: path,
    url: `${API_PATH}/${url}`,
    query,
    headers: { ...part.headers, authorization: String(outer.headers["authorization"] ?? "") },
    body: part.body === "" ? undefined : parseJson(part.body),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function execute(deps: ApiDependencies, request: ApiRequest): Promise<ApiResponse> {
  deps.countBatchRequest?.(request.headers["authorization"]);
  try {
    return await handleApiRequest(deps, request);
  } catch (error) {
    if (error instanceof ODataError) return { status: error.status, headers: {}, body: error.toBody() };
    throw error;
  }
}

function renderResponse(response: ApiResponse, contentId?: string): string {
  const lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"];
  if (contentId) lines.push(`Content-ID: ${contentId}`);
  lines.push("", `HTTP/1.1 ${response.status} ${STATUS_TEXT[response.status] ?? ""}`.trimEnd());
  const headers: Record<string, string> = { ...response.headers, "OData-Version": "4.0" };
  if (response.body !== undefined) headers["Content-Type"] = "application/json; odata.metadata=minimal";
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push("", response.body === undefined ? "" : JSON.stringify(response.body));
  return lines.join("\r\n");
}

export async function runBatch(deps: ApiDependencies, request: ApiRequest): Promise<ApiResponse> {
  const contentType = request.headers["content-type"];
  const items = parseBatch(typeof request.body === "string" ? request.body : "", Array.isArray(contentType) ? contentType[0] : contentType);
  const continueOnError = String(request.headers["prefer"] ?? "").includes("odata.continue-on-error");
  const batchBoundary = `batchresponse_${randomUUID()}`;
  const out: string[] = [];
  for (const item of items) {
    if (item.kind === "request") {
      const response = await execute(deps, toApiRequest(item.part, request, new Map()));
      out.push(`--${batchBoundary}\r\n${renderResponse(response)}`);
      if (response.status >= 400 && !continueOnError) break;
      continue;
    }
    const savepoint = deps.context.store.savepoint();
    const createdUrls = new Map<string, string>();
    const responses: { response: ApiResponse; contentId?: string }[] = [];
    let failed: { response: ApiResponse; contentId?: string } | undefined;
    await deps.operations.inTransaction(async () => {
      for (const part of item.parts) {
        const response = await execute(deps, toApiRequest(part, request, createdUrls));
        if (response.status >= 400) {
          failed = { response, contentId: part.contentId };
          return false;
        }
        if (part.contentId && response.headers["odata-entityid"]) createdUrls.set(part.contentId, response.headers["odata-entityid"]);
        responses.push({ response, contentId: part.contentId });
      }
      return true;
    });
    if (failed) {
      deps.context.store.rollbackTo(savepoint);
      out.push(`--${batchBoundary}\r\n${renderResponse(failed.response, failed.contentId)}`);
      if (!continueOnError) break;
      continue;
    }
    deps.context.store.release(savepoint);
    const changesetBoundary = `changesetresponse_${randomUUID()}`;
    const inner = responses.map(({ response, contentId }) => `--${changesetBoundary}\r\n${renderResponse(response, contentId)}`).join("\r\n");
    out.push(`--${batchBoundary}\r\nContent-Type: multipart/mixed; boundary=${changesetBoundary}\r\n\r\n${inner}\r\n--${changesetBoundary}--`);
  }
  const body = `${out.join("\r\n")}\r\n--${batchBoundary}--\r\n`;
  return { status: 200, headers: { "content-type": `multipart/mixed; boundary=${batchBoundary}` }, body };
}
