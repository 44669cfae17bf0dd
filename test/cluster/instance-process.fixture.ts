/**
 * A cluster member in a process of its own, for the tests that SIGKILL it: joins the database named
 * by argv[2] as INSTANCE argv[3], holds the pair key argv[4] (if any) and prints "ready" and "leader".
 */
import pino from "pino";
import { postgresCluster } from "../../sync/cluster/cluster";

const [url, instanceId, heldKey] = process.argv.slice(2);
const cluster = postgresCluster({ url: url!, instanceId: instanceId!, version: "test", logger: pino({ level: "silent" }), store: { recoverLeasesOf: async () => 0 } });
cluster.onLeadershipChange((leader) => process.stdout.write(leader ? "leader\n" : "follower\n"));
await cluster.start();
if (heldKey) {
  void cluster.pairLocks.run(heldKey, () => {
    process.stdout.write("holding\n");
    return new Promise(() => undefined);
  });
}
process.stdout.write(`ready ${cluster.isLeader() ? "leader" : "follower"}\n`);
setInterval(() => undefined, 60_000);
