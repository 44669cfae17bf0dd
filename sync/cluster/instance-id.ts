/**
 * Which `cosell serve` process this is, among several sharing one database. The id names the
 * process in every log line and metric and prefixes its worker ids (`<instance>-w3`), so another
 * instance can tell whose running jobs to take over when this one's database session is gone.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** Letters, digits, `.`, `_`, `-`; at most 100 (it becomes part of worker ids and a label value). */
const INSTANCE_ID = /^[A-Za-z0-9._-]{1,100}$/;

export class InstanceIdError extends Error {
  constructor(value: string) {
    super(`INSTANCE_ID "${value}" is not usable: use 1 to 100 letters, digits, ".", "_" or "-" (or leave it unset for hostname-pid-random)`);
    this.name = "InstanceIdError";
  }
}

/** INSTANCE_ID when set, else `<hostname>-<pid>-<random>` (a restarted container gets a new id). */
export function resolveInstanceId(configured?: string): string {
  if (configured !== undefined && configured !== "") {
    if (!INSTANCE_ID.test(configured)) throw new InstanceIdError(configured);
    return configured;
  }
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 60) || "host";
  return `${host}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/** The instance a worker id belongs to (`<instance>-w<n>`, see WorkerPool), or null for other ids (`cli`). */
export function instanceOfWorker(workerId: string): string | null {
  const match = /^(.+)-w\d+$/.exec(workerId);
  return match ? match[1]! : null;
}
