/**
 * What the service asks of "the other instances", behind one narrow interface: a single process on
 * SQLite (always ready, always the leader, locks in memory) or one of many over PostgreSQL.
 */
import type { Logger } from "pino";
import { ClusterMembership, InstanceIdInUseError, type LeaseRecovery } from "./cluster-membership";
import { DedicatedSession } from "./dedicated-session";
import type { InstanceRow } from "./instance-registry";
import { InMemoryPairLocks, PgPairLocks, type PairLocks } from "./pair-locks";

/** The database did not let this instance join (unreachable, refused, no rights): the service does not start. */
export class ClusterStartError extends Error {
  constructor(url: string, cause: unknown) {
    super(
      `Could not join the other instances on ${redactedUrl(url)} (${cause instanceof Error ? cause.message : String(cause)}). Check STORE_URL (Azure: ?sslmode=require), that the server is up, then run \`cosell doctor\`.`,
      { cause },
    );
    this.name = "ClusterStartError";
  }
}

/** A connection string for messages: the password never leaves the process. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable STORE_URL)";
  }
}

export interface Cluster {
  readonly instanceId: string;
  /** Pair keys (`opportunity:…`, `referral:…`) held for a job's duration. */
  readonly pairLocks: PairLocks;
  /** Customer keys held while an account is matched or created. */
  readonly customerLocks: PairLocks;
  /** Connected to what it needs: false stops claiming work and makes /readyz answer 503. */
  canTakeWork(): boolean;
  /** Runs the once-per-cluster timers (reconcile, catch-up, retention). */
  isLeader(): boolean;
  onLeadershipChange(listener: (leader: boolean) => void): void;
  /** The registered instances (one, itself, on SQLite). */
  instances(): Promise<InstanceRow[]>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One process over SQLite: the embedded default. */
export function singleInstanceCluster(instanceId: string, version: string): Cluster {
  const startedAt = new Date();
  return {
    instanceId,
    pairLocks: new InMemoryPairLocks(),
    customerLocks: new InMemoryPairLocks(),
    canTakeWork: () => true,
    isLeader: () => true,
    onLeadershipChange: () => undefined,
    instances: async () => [{ instanceId, version, startedAt, lastSeenAt: new Date(), live: true, gone: false, takenOverAt: null }],
    start: async () => undefined,
    stop: async () => undefined,
  };
}

export interface PostgresClusterOptions {
  url: string;
  instanceId: string;
  version: string;
  logger: Logger;
  store: LeaseRecovery;
  heartbeatMs?: number;
}

/** One of several instances sharing a PostgreSQL database: a liveness session and a lock session. */
export function postgresCluster(options: PostgresClusterOptions): Cluster {
  const membership = new ClusterMembership(options);
  // Pair locks on a session of their own: a slow lock poll never delays the heartbeat.
  const lockSession = new DedicatedSession({ url: options.url, applicationName: `cosell:${options.instanceId}:locks`, logger: options.logger });
  return {
    instanceId: options.instanceId,
    pairLocks: new PgPairLocks(lockSession, { namespace: "pair" }),
    customerLocks: new PgPairLocks(lockSession, { namespace: "customer" }),
    canTakeWork: () => membership.healthy() && lockSession.isUp,
    isLeader: () => membership.isLeader(),
    onLeadershipChange: (listener) => membership.onLeadershipChange(listener),
    instances: () => membership.instances(),
    async start() {
      try {
        await membership.start();
        await lockSession.start();
      } catch (error) {
        await membership.stop();
        if (error instanceof InstanceIdInUseError) throw error;
        throw new ClusterStartError(options.url, error);
      }
    },
    async stop() {
      await membership.stop();
      await lockSession.stop();
    },
  };
}
