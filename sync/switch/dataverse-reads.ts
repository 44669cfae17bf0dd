/**
 * Raw Web API reads for tables and metadata our typed client does not know (Microsoft's connector's
 * tables are named by the org's metadata, not by entities/): every page of a query, as JSON rows.
 */
import type { DataverseClient } from "../dataverse/dataverse-client";
import { DataverseError } from "../dataverse/dataverse-error";

export type Row = Record<string, unknown>;

const PREFER = 'odata.include-annotations="*",odata.maxpagesize=500';

/** Every row of a query (`path` relative to the Web API root), following @odata.nextLink. */
export async function readAll(client: DataverseClient, path: string): Promise<Row[]> {
  const rows: Row[] = [];
  let next: string | undefined = path;
  while (next) {
    const result = await client.transport.call("GET", next, { headers: { Prefer: PREFER } });
    const body = result.json as { value?: Row[]; "@odata.nextLink"?: string };
    rows.push(...(body.value ?? []));
    next = body["@odata.nextLink"];
  }
  return rows;
}

/** One row or metadata object; undefined when Dataverse answers 404. */
export async function readOne(client: DataverseClient, path: string): Promise<Row | undefined> {
  try {
    return (await client.transport.call("GET", path, { headers: { Prefer: PREFER } })).json as Row;
  } catch (error) {
    if (error instanceof DataverseError && error.status === 404) return undefined;
    throw error;
  }
}

/** A metadata Label's text in the user's language (or the first one). */
export function labelText(label: unknown): string {
  const value = label as { UserLocalizedLabel?: { Label?: string } | null; LocalizedLabels?: { Label?: string }[] } | null | undefined;
  return value?.UserLocalizedLabel?.Label ?? value?.LocalizedLabels?.[0]?.Label ?? "";
}

/** A metadata Label's English (1033) text, which does not depend on the org's language; else the user's. */
export function englishLabelText(label: unknown): string {
  const value = label as { LocalizedLabels?: { Label?: string; LanguageCode?: number }[] } | null | undefined;
  return value?.LocalizedLabels?.find((l) => l.LanguageCode === 1033)?.Label ?? labelText(label);
}

export const str = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value : null);
