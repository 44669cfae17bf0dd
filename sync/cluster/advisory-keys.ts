/**
 * PostgreSQL advisory locks are named by one 64-bit number. Ours are hashed from a namespace and a
 * text key here, in JS, so every instance (and every server version) computes the same number.
 */
import { createHash } from "node:crypto";

export type LockNamespace = "pair" | "customer" | "leader" | "instance";

/** The lock number of `key` in `namespace`, as a decimal string (pg passes it as a bigint). */
export function advisoryKey(namespace: LockNamespace, key: string): string {
  const digest = createHash("sha256").update(`cosell:${namespace}:${key}`).digest();
  return digest.readBigInt64BE(0).toString();
}
