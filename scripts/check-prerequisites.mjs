// Runs before `npm test` and `npm start`: says in one message which system tools are missing and
// how to install them, instead of letting a test fail later with a cryptic spawn error.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const need = [
  { tool: "xmllint", apt: "libxml2-utils", why: "validates the solution zip against Microsoft's XSDs" },
  { tool: "unzip", apt: "unzip", why: "used by the solution validator" },
  { tool: "chromium", apt: "chromium", why: "runs the browser tests (headless)", path: "/usr/bin/chromium" },
];
const onPath = (tool) => {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const missing = need.filter((n) => !(n.path && existsSync(n.path)) && !onPath(n.tool));
const major = Number(process.versions.node.split(".")[0]);
if (major < 20) {
  console.error(`Node.js ${process.versions.node} is too old: install Node.js 20 or newer.`);
  process.exit(1);
}
if (missing.length > 0) {
  console.error("Missing system packages:");
  for (const m of missing) console.error(`  - ${m.tool}: ${m.why}`);
  console.error(`Install them with:\n  sudo apt-get update && sudo apt-get install -y ${missing.map((m) => m.apt).join(" ")}`);
  process.exit(1);
}
