/**
 * Helpers for the CLI tests: an io that records what an admin would read, a store file per test, and
 * `cosell` run as a child process.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const COSELL = join(repoRoot, "sync", "cli", "cosell.ts");

export interface CosellProcess {
  /** Resolves with the exit code and everything printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves when stdout or stderr has printed text matching `pattern`. */
  printed(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * `cosell <args>` as a separate process, the way an admin or a service manager runs it. Runs from an
 * empty folder (no .env is picked up) with only the given environment, so a test controls every setting.
 */
export function spawnCosell(args: string[], env: Record<string, string>, cwd = mkdtempSync(join(tmpdir(), "cosell-cwd-"))): CosellProcess {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), COSELL, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString(); listeners.forEach((l) => l()); });
  child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString(); listeners.forEach((l) => l()); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    exited,
    kill: (signal) => child.kill(signal),
    printed(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stdout + stderr);
          if (match) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(match[0]);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`cosell did not print ${pattern} within ${timeoutMs} ms; it printed:\n${stdout}\n${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() => setTimeout(check, 0));
        check();
      });
    },
  };
}
