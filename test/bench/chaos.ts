/**
 * `npm run chaos`: 2,000 random operations from both sides with faults injected and the backend
 * killed (SIGKILL) and restarted 5 times, then the convergence figures. Real semantics by default:
 * Dataverse's delivery rule and whole-second times. Options: --operations N --restarts N --seed N
 * --concurrency N --clock-offset N (ms the Dataverse org's clock is ahead of the backend's; negative:
 * behind; also --dataverse-clock-offset-ms; Partner Center's stand-in has no clock of its own to
 * offset) --dataverse-webhooks dataverse|redeliver (the stand-in's old kinder retries, for comparison)
 * --service-protection on|off (default off: the driver's simulated sellers all sign in as one user,
 * and 2,000 operations in a few minutes would spend that user's quota of 6,000 requests per 5 minutes;
 * chaos:short runs with the limits on) --store sqlite|postgres --instances N (several behind one URL,
 * PostgreSQL only; each restart SIGKILLs a random one) --restart-database no (PostgreSQL is otherwise
 * restarted once mid-run).
 */
import { parseArgs } from "node:util";
import { formatChaosFigures, runChaos } from "./chaos-kit";

// `--clock-offset -2000` as well as `--clock-offset=-2000` (parseArgs takes "-2000" for an option).
const args = process.argv.slice(2).flatMap((arg, i, all) =>
  /^-\d/.test(arg) && /^--(clock-offset|dataverse-clock-offset-ms)$/.test(all[i - 1] ?? "") ? [] : /^--(clock-offset|dataverse-clock-offset-ms)$/.test(arg) && /^-\d/.test(all[i + 1] ?? "") ? [`${arg}=${all[i + 1]}`] : [arg],
);

const { values } = parseArgs({
  args,
  options: {
    operations: { type: "string", default: "2000" },
    restarts: { type: "string", default: "5" },
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
    concurrency: { type: "string", default: "6" },
    "clock-offset": { type: "string" },
    "dataverse-clock-offset-ms": { type: "string", default: "0" },
    "dataverse-webhooks": { type: "string", default: "dataverse" },
    "service-protection": { type: "string", default: "off" },
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
  dataverseClockOffsetMs: Number(values["clock-offset"] ?? values["dataverse-clock-offset-ms"]),
  dataverseWebhookDelivery: values["dataverse-webhooks"] === "redeliver" ? "redeliver" : "dataverse",
  ...(values["service-protection"] === "on" ? {} : { dataverseServiceProtection: false as const }),
  instances: Number(values.instances),
  store: values.store,
  restartDatabase,
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${formatChaosFigures(figures).join("\n")}\n  seed                ${seed}\n  Dataverse clock     ${Number(values["clock-offset"] ?? values["dataverse-clock-offset-ms"])} ms from the backend's, whole seconds, ${values["dataverse-webhooks"]} delivery, service protection ${values["service-protection"]}\n`);
const ok = figures.pairsConverged === figures.pairsChecked && figures.duplicates === 0 && figures.lostUpdates === 0;
process.exit(ok ? 0 : 1);
