/**
 * Progress of a long command. On a terminal: one line redrawn in place (a bar, counts, rate). When
 * the output is a file or a CI log: a plain line at most every few seconds, because a redrawn line
 * becomes hundreds of lines of control characters there. Hand-written: the line is all we need, and
 * it keeps the CLI free of a terminal UI dependency.
 */
import type { CliIo } from "./cli-io";

export interface ProgressLine {
  /** `detail`: short counts shown after the bar, e.g. "created 3 · in sync 10". */
  update(done: number, total: number, detail: string): void;
  /** Removes the redrawn line (terminal) so the summary starts on a clean line. */
  finish(): void;
}

const BAR_WIDTH = 28;

export function createProgressLine(io: CliIo, label: string, options: { plainEveryMs?: number; now?: () => number } = {}): ProgressLine {
  const now = options.now ?? Date.now;
  const started = now();
  const stream = io.progressStream;
  if (stream) {
    let drawn = false;
    return {
      update(done, total, detail) {
        const ratio = total === 0 ? 1 : done / total;
        const filled = Math.round(ratio * BAR_WIDTH);
        const seconds = (now() - started) / 1000;
        const rate = seconds > 0 ? `${(done / seconds).toFixed(1)}/s` : "";
        const line = `${label} [${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}] ${done}/${total} ${rate}  ${detail}`;
        const width = stream.columns ? stream.columns - 1 : line.length;
        stream.write(`\r${line.slice(0, width)}\x1b[K`);
        drawn = true;
      },
      finish() {
        if (drawn) stream.write("\r\x1b[K");
      },
    };
  }
  const every = options.plainEveryMs ?? 5000;
  let last = -Infinity;
  return {
    update(done, total, detail) {
      // First, last and at most one line per interval in between.
      if (done !== 0 && done !== total && now() - last < every) return;
      last = now();
      io.err(`${label}: ${done}/${total} (${detail})`);
    },
    finish() {},
  };
}
