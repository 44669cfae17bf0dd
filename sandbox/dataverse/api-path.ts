/**
 * Splits a Web API resource path ("opportunities(<guid>)", "EntityDefinitions(LogicalName='x')/Attributes",
 * "WinOpportunity") into segments with their optional key.
 */
import { badQuery } from "./odata-error";

export interface PathSegment {
  name: string;
  /** The text between the parentheses, if any. */
  key?: string;
}

const SEGMENT = /^([^()]+)(?:\((.*)\))?$/;

export function parseResourcePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const raw of path.split("/").filter((part) => part.length > 0)) {
    const match = SEGMENT.exec(decodeURIComponent(raw));
    if (!match?.[1]) throw badQuery(`Bad Request - Error in query syntax at '${raw}'.`);
    segments.push(match[2] === undefined ? { name: match[1] } : { name: match[1], key: match[2] });
  }
  return segments;
}

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** A GUID key (with or without braces), lower-cased; undefined if the key is not a GUID. */
export function guidKey(key: string | undefined): string | undefined {
  return key === undefined ? undefined : GUID.exec(key.trim())?.[1]?.toLowerCase();
}

/** A named key such as LogicalName='opportunity'. */
export function namedKey(key: string | undefined, name: string): string | undefined {
  if (key === undefined) return undefined;
  const match = new RegExp(`^${name}='((?:[^']|'')*)'$`).exec(key.trim());
  return match?.[1]?.replace(/''/g, "'");
}
