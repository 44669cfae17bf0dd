/** Constant-time comparison of the Dataverse webhook key, so response timing leaks nothing about it. */
import { createHash, timingSafeEqual } from "node:crypto";

export function keysMatch(presented: string | undefined, expected: string): boolean {
  if (!presented || !expected) return false;
  // Hash both first: timingSafeEqual needs equal lengths, and comparing digests hides the length too.
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
