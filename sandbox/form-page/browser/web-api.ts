/**
 * Xrm.WebApi over the sandbox's Web API, with real HTTP: bearer token, OData headers, and errors
 * rejected as the platform rejects them ({ errorCode, message } objects, not Error instances).
 * The page's origin stands in for the org's (the page server forwards /api/data/v9.2).
 */
import { API_PATH } from "../page-model";

/** The sandbox accepts any bearer token; a real org would want one from Entra ID. */
const TOKEN = "sandbox-form-page";

export interface WebApiError {
  errorCode: number;
  message: string;
  status: number;
}

export const apiBase = () => `${location.origin}${API_PATH}`;

export async function dataverseFetch(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${TOKEN}`,
    accept: "application/json",
    "odata-version": "4.0",
    "odata-maxversion": "4.0",
    prefer: 'odata.include-annotations="*"',
    ...init.headers,
  };
  if (init.body !== undefined) headers["content-type"] = "application/json; charset=utf-8";
  const response = await fetch(path.startsWith("http") ? path : `${apiBase()}/${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!response.ok) throw await toWebApiError(response);
  return response;
}

async function toWebApiError(response: Response): Promise<WebApiError> {
  let message = `${response.status} ${response.statusText}`;
  let code = response.status;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.message) message = body.error.message;
    if (body.error?.code) code = Number.parseInt(body.error.code, 16) | 0;
  } catch {
    // Not JSON: keep the status line.
  }
  return { errorCode: code, message, status: response.status };
}

export async function getJson<T = Record<string, unknown>>(path: string, headers?: Record<string, string>): Promise<T> {
  return (await (await dataverseFetch(path, { headers })).json()) as T;
}

/** Id from an OData-EntityId header: .../opportunities(00000000-...) */
export function idFromEntityUrl(url: string | null): string {
  const match = /\(([0-9a-f-]{36})\)\s*$/i.exec(url ?? "");
  if (!match?.[1]) throw { errorCode: -1, message: `The Web API did not return the new record's id (${url ?? "no OData-EntityId"}).`, status: 0 } satisfies WebApiError;
  return match[1];
}

const cleanId = (id: string) => id.replace(/[{}]/g, "").toLowerCase();
const withQuery = (options?: string) => (options ? (options.startsWith("?") ? options : `?${options}`) : "");

/** Logical name → entity set name, from the org's metadata (read once). */
export type EntitySetResolver = (logicalName: string) => Promise<string>;

export function createWebApi(entitySet: EntitySetResolver): Xrm.WebApi {
  const webApi = {
    async retrieveRecord(entityLogicalName: string, id: string, options?: string) {
      return getJson(`${await entitySet(entityLogicalName)}(${cleanId(id)})${withQuery(options)}`);
    },
    async retrieveMultipleRecords(entityLogicalName: string, options?: string, maxPageSize?: number) {
      const headers = maxPageSize ? { prefer: `odata.include-annotations="*",odata.maxpagesize=${maxPageSize}` } : undefined;
      const body = await getJson<{ value: Record<string, unknown>[]; "@odata.nextLink"?: string }>(`${await entitySet(entityLogicalName)}${withQuery(options)}`, headers);
      return { entities: body.value, nextLink: body["@odata.nextLink"] };
    },
    async updateRecord(entityLogicalName: string, id: string, data: Record<string, unknown>) {
      await dataverseFetch(`${await entitySet(entityLogicalName)}(${cleanId(id)})`, { method: "PATCH", body: data, headers: { "if-match": "*" } });
      return { entityType: entityLogicalName, id: cleanId(id) };
    },
  };
  // Only the three calls the web resource makes exist; anything else fails loudly instead of pretending.
  return webApi as unknown as Xrm.WebApi;
}
