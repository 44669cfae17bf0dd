/**
 * `npm run chaos`: 2,000 random operations from both sides with faults injected and the backend
 * killed (SIGKILL) and restarted 5 times, then the convergence figures. Options: --operations N
 * --restarts N --seed N --concurrency N --dataverse-clock-offset-ms N (the org's clock ahead of the
 * backend's; negative: behind) --dataverse-webhooks dataverse|redeliver (Dataverse's delivery rule,
 * the default, or the stand-in's old kinder retries for comparison).
 */
import { parseArgs } from "node:util";
import { formatChaosFigures, runChaos } from "./chaos-kit";

const { values } = parseArgs({
  options: {
    operations: { type: "string", default: "2000" },
    restarts: { type: "string", default: "5" },
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
    concurrency: { type: "string", default: "6" },
    "dataverse-clock-offset-ms": { type: "string", default: "0" },
    "dataverse-webhooks": { type: "string", default: "dataverse" },
  },
});

const seed = Number(values.seed);
const figures = await runChaos({
  operations: Number(values.operations),
  restarts: Number(values.restarts),
  seed,
  concurrency: Number(values.concurrency),
  convergeTimeoutMs: 180_000,
  dataverseClockOffsetMs: Number(values["dataverse-clock-offset-ms"]),
  dataverseWebhookDelivery: values["dataverse-webhooks"] === "redeliver" ? "redeliver" : "dataverse",
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${formatChaosFigures(figures).join("\n")}\n  seed                ${seed}\n`);
const ok = figures.pairsConverged === figures.pairsChecked && figures.duplicates === 0 && figures.lostUpdates === 0;
process.exit(ok ? 0 : 1);
