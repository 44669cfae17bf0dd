/**
 * RFC 6902 JSON Patch, limited to the two operations Partner Center accepts on referrals: `replace`
 * and `add` (reference §1.7). Works on a deep copy so a failing operation leaves the stored referral
 * untouched.
 */
import type { JsonPatchOperation } from "./referral-schema";

export class JsonPatchError extends Error {
  constructor(
    message: string,
    readonly target: string,
  ) {
    super(message);
    this.name = "JsonPatchError";
  }
}

function decodePointer(path: string): string[] {
  // "/details/dealValue" → ["details", "dealValue"]; "~1" and "~0" are the RFC 6901 escapes.
  return path
    .split("/")
    .slice(1)
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function applyJsonPatch<T>(document: T, operations: readonly JsonPatchOperation[]): T {
  const copy = structuredClone(document) as unknown;
  for (const operation of operations) {
    const segments = decodePointer(operation.path);
    if (segments.length === 0) throw new JsonPatchError("replacing the whole referral is not supported; use PUT", operation.path);
    let parent: unknown = copy;
    for (const [position, segment] of segments.slice(0, -1).entries()) {
      const next = parent !== null && typeof parent === "object" ? (parent as Record<string, unknown>)[segment] : undefined;
      if (next === undefined || next === null) {
        if (operation.op === "add" && parent !== null && typeof parent === "object" && !Array.isArray(parent)) {
          // Creating intermediate objects for "add" is lenient compared with RFC 6902, and matches the
          // doc samples that add e.g. /details/requirements on referrals created without it [I].
          // `/team/-` on a referral without a team starts the array.
          const following = segments[position + 1]!;
          (parent as Record<string, unknown>)[segment] = following === "-" || /^\d+$/.test(following) ? [] : {};
          parent = (parent as Record<string, unknown>)[segment];
          continue;
        }
        throw new JsonPatchError(`path ${operation.path} does not exist`, operation.path);
      }
      parent = next;
    }
    const last = segments.at(-1)!;
    if (Array.isArray(parent)) {
      const index = last === "-" ? parent.length : Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.length || (operation.op === "replace" && index >= parent.length)) {
        throw new JsonPatchError(`array index ${last} is out of range for ${operation.path}`, operation.path);
      }
      if (operation.op === "add") parent.splice(index, 0, structuredClone(operation.value));
      else parent[index] = structuredClone(operation.value);
    } else if (parent !== null && typeof parent === "object") {
      const record = parent as Record<string, unknown>;
      // RFC 6902: replace needs the member to exist. Partner Center sends `null` for unset members,
      // so a null member counts as existing.
      if (operation.op === "replace" && !(last in record)) {
        throw new JsonPatchError(`cannot replace ${operation.path}: it does not exist (use "add")`, operation.path);
      }
      record[last] = structuredClone(operation.value);
    } else {
      throw new JsonPatchError(`path ${operation.path} does not point into an object`, operation.path);
    }
  }
  return copy as T;
}
