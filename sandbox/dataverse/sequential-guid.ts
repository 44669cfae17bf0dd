/**
 * Ids as Dataverse mints them: sequential GUIDs (SQL Server's NEWSEQUENTIALID layout: a version-1
 * UUID whose first three groups are byte-swapped), e.g. 6d81597f-0f9f-e711-80e0-00155db0d8b8 in
 * Microsoft's webhook sample. The third group does not start with an RFC version nibble, so a client
 * that validates ids as RFC UUIDs fails here as it would against a real org.
 */
import { randomBytes } from "node:crypto";

/** 100-ns intervals between 1582-10-15 (the UUID epoch) and 1970-01-01. */
const UUID_EPOCH_OFFSET = 122_192_928_000_000_000n;

const hex = (value: bigint, digits: number) => value.toString(16).padStart(digits, "0");
const swap = (group: string) => (group.match(/../g) ?? []).reverse().join("");

export class SequentialGuidMinter {
  /** Per org, like a server's MAC address and clock sequence. */
  private readonly node = randomBytes(6).toString("hex");
  private readonly clockSequence = 0x8000 | (randomBytes(2).readUInt16BE() & 0x3fff);
  private last = 0n;

  constructor(private readonly nowMs: () => number = Date.now) {}

  mint(): string {
    // Strictly increasing, even for many ids minted within the same clock tick.
    const ticks = BigInt(this.nowMs()) * 10_000n + UUID_EPOCH_OFFSET;
    this.last = ticks > this.last ? ticks : this.last + 1n;
    const timeLow = hex(this.last & 0xffffffffn, 8);
    const timeMid = hex((this.last >> 32n) & 0xffffn, 4);
    const timeHighAndVersion = hex(((this.last >> 48n) & 0x0fffn) | 0x1000n, 4);
    return `${swap(timeLow)}-${swap(timeMid)}-${swap(timeHighAndVersion)}-${hex(BigInt(this.clockSequence), 4)}-${this.node}`;
  }
}
