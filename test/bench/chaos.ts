/**
 * `npm run chaos`: 2,000 random operations from both sides with faults injected and the backend
 * killed (SIGKILL) and restarted 5 times, then the convergence figures. Options: --operations N
 * --restarts N --seed N --concurrency N --dataverse-clock-offset-ms N (the org's clock ahead of the
 * backend's; negative: behind) --dataverse-webhooks dataverse|redeliver (Dataverse's delivery rule,
 * the default, or the stand-in's old kinder retries for comparison) --store sqlite|postgres
 * --instances N (several behind one URL, PostgreSQL only; each restart SIGKILLs a random one)
 * --restart-database no (PostgreSQL is otherwise restarted once mid-run).
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
    instances: { type: "string", default: "1" },
    store: { type: "string", default: "sqlite" },
    "restart-database": { type: "string" },
  },
});

const seed = Number(values.seed);
if (values.store !== "sqlite" && values.store !== "postgres") throw new Error(`--store must be sqlite or postgres, not "${values.store}"`);
// With PostgreSQL the server itself is restarted once mid-run, unless --restart-database no.
const restartDatabase = values.store === "postgres" && values["restart-database"] !== "no";
const figures = await runChaos({
  operations: Number(values.operations),
  restarts: Number(values.restarts),
  seed,
  concurrency: Number(values.concurrency),
  convergeTimeoutMs: 180_000,
  dataverseClockOffsetMs: Number(values["dataverse-clock-offset-ms"]),
  dataverseWebhookDelivery: values["dataverse-webhooks"] === "redeliver" ? "redeliver" : "dataverse",
  instances: Number(values.instances),
  store: values.store,
  restartDatabase,
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${formatChaosFigures(figures).join("\n")}\n  seed                ${seed}\n`);
const ok = figures.pairsConverged === figures.pairsChecked && figures.duplicates === 0 && figures.lostUpdates === 0;
process.exit(ok ? 0 : 1);
