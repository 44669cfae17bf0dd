/**
 * This instance's place among the others sharing the database, on its own session (liveness.ts's
 * contract in README.md): registered in cosell_instances, a lock on its INSTANCE_ID (two processes
 * must never share one), a heartbeat, and the leader lock that makes one instance at a time run
 * the reconcile and catch-up passes. It also takes over the running jobs of instances found gone.
 */
import type { Logger } from "pino";
import { advisoryKey } from "./advisory-keys";
import { DedicatedSession } from "./dedicated-session";
import { instanceOfWorker } from "./instance-id";
import { ensureInstancesTable, forgetOldInstances, listInstances, markTakenOver, registerInstance, removeInstance, touchInstance, type InstanceRow } from "./instance-registry";

export class InstanceIdInUseError extends Error {
  constructor(instanceId: string) {
    super(`Another running instance already uses INSTANCE_ID "${instanceId}": give each instance its own (or leave INSTANCE_ID unset)`);
    this.name = "InstanceIdInUseError";
  }
}

/** The store's takeover call (SyncStore.recoverLeasesOf). */
export interface LeaseRecovery {
  recoverLeasesOf(isGone: (workerId: string) => boolean): Promise<number>;
}

export interface ClusterMembershipOptions {
  url: string;
  instanceId: string;
  version: string;
  logger: Logger;
  store: LeaseRecovery;
  /** Heartbeat, leader attempt and takeover check, each this often (default 1 s). */
  heartbeatMs?: number;
}

export class ClusterMembership {
  readonly session: DedicatedSession;
  private readonly startedAt = new Date();
  private timer: NodeJS.Timeout | null = null;
  private leader = false;
  private lastBeatOk = 0;
  private ticking = false;
  private readonly leadershipListeners = new Set<(leader: boolean) => void>();
  private readonly heartbeatMs: number;

  constructor(private readonly options: ClusterMembershipOptions) {
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.session = new DedicatedSession({
      url: options.url,
      applicationName: `cosell:${options.instanceId}`,
      logger: options.logger,
      onConnected: async (client) => {
        const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [advisoryKey("instance", options.instanceId)]);
        if (!rows[0]?.ok) throw new InstanceIdInUseError(options.instanceId);
        await ensureInstancesTable(client);
        await registerInstance(client, { instanceId: options.instanceId, version: options.version, startedAt: this.startedAt });
        this.lastBeatOk = Date.now();
      },
    });
    this.session.onChange((up) => {
      if (!up) this.setLeader(false); // the leader lock died with the session
    });
  }

  async start(): Promise<void> {
    await this.session.start();
    this.timer = setInterval(() => void this.tick(), this.heartbeatMs);
    this.timer.unref();
    await this.tick();
  }

  /** Connected, and the last heartbeat answered recently: safe to claim work. */
  healthy(): boolean {
    return this.session.isUp && Date.now() - this.lastBeatOk < this.heartbeatMs * 3 + 5000;
  }

  isLeader(): boolean {
    return this.leader;
  }

  onLeadershipChange(listener: (leader: boolean) => void): void {
    this.leadershipListeners.add(listener);
  }

  /** Every registered instance, live or gone (throws while the session is down). */
  instances(): Promise<InstanceRow[]> {
    return listInstances(sessionQueryable(this.session));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.setLeader(false);
    if (this.session.isUp) await removeInstance(sessionQueryable(this.session), this.options.instanceId).catch(() => undefined);
    await this.session.stop();
  }

  /** One heartbeat: last seen, the leader lock if free, and the takeover of gone instances' jobs. */
  private async tick(): Promise<void> {
    if (this.ticking || !this.session.isUp) return;
    this.ticking = true;
    const db = sessionQueryable(this.session);
    try {
      await touchInstance(db, this.options.instanceId);
      this.lastBeatOk = Date.now();
      if (!this.leader) {
        const { rows } = await this.session.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [advisoryKey("leader", "cluster")]);
        if (rows[0]?.ok) this.setLeader(true);
      }
      await this.takeOverGoneInstances();
    } catch (error) {
      this.options.logger.warn({ err: error }, "cluster heartbeat failed");
    } finally {
      this.ticking = false;
    }
  }

  private async takeOverGoneInstances(): Promise<void> {
    const db = sessionQueryable(this.session);
    const rows = await listInstances(db);
    const gone = new Set(rows.filter((row) => row.gone && !row.takenOverAt && row.instanceId !== this.options.instanceId).map((row) => row.instanceId));
    if (gone.size > 0) {
      const jobs = await this.options.store.recoverLeasesOf((workerId) => gone.has(instanceOfWorker(workerId) ?? ""));
      await markTakenOver(db, [...gone]);
      this.options.logger.info({ instances: [...gone], jobs }, "took over the running jobs of instances whose database session is gone");
    }
    if (this.leader) await forgetOldInstances(db);
  }

  private setLeader(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.options.logger.info({ leader }, leader ? "this instance now runs the reconcile and catch-up passes" : "this instance no longer runs the reconcile passes");
    for (const listener of this.leadershipListeners) listener(leader);
  }
}

function sessionQueryable(session: DedicatedSession) {
  return { query: (sql: string, params?: unknown[]) => session.query(sql, params) } as unknown as Parameters<typeof listInstances>[0];
}
