/** Helpers for the CLI tests: an io that records what an admin would read, and a store file per test. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIo } from "../../sync/cli/cli-io";

export interface RecordedIo extends CliIo {
  readonly stdout: string[];
  readonly stderr: string[];
  text(): string;
}

export function recordedIo(): RecordedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    progressStream: null,
    text: () => [...stdout, ...stderr].join("\n"),
  };
}

export function tempStorePath(): string {
  return join(mkdtempSync(join(tmpdir(), "cosell-cli-test-")), "cosell.sqlite");
}
