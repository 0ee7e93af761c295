import os from 'node:os';
import type { NodeInfo } from '../../../src-shared/nodes';
import { DEFAULT_LEASE_MS, heartbeatFor } from '../../../src-shared/nodes';
import { SAFEKEEP_VERSION } from '../about';
import { log } from '../log';
import { repeat, type Scheduler, type Timer } from '../scheduler';
import type { LeaseStore, NodeStore } from '../store/ports';

export interface NodeRuntimeOptions {
  id: string;
  /** How long a claim holds without a heartbeat (default 30 s). */
  leaseMs?: number;
  /** How often the node renews its leases and says it is alive (default: a third of the lease). */
  heartbeatMs?: number;
}

/**
 * This node among the nodes of one store: its heartbeat in the registry, the leases it holds (renewed on each
 * heartbeat), and its claims. `onBeat` runs after each heartbeat: the engine and the report delivery look for
 * work another node left (a lease that ran out) then.
 */
export class NodeRuntime {
  readonly id: string;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  private timer: Timer | null = null;
  private readonly beats = new Set<() => void>();
  private addresses: string[] = [];

  constructor(
    private readonly deps: { nodes: NodeStore; leases: LeaseStore; scheduler: Scheduler },
    o: NodeRuntimeOptions,
  ) {
    this.id = o.id;
    this.leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
    this.heartbeatMs = o.heartbeatMs ?? heartbeatFor(this.leaseMs);
  }

  /** The time a claim made now holds until. */
  private until(): number {
    return this.deps.scheduler.now() + this.leaseMs;
  }

  /** What this process claimed (a node's other process, e.g. a `commit` beside `serve`, keeps its own). */
  private readonly held = { requests: new Set<number>(), incoming: new Set<string>(), reports: new Set<string>() };

  async claimRequest(id: number): Promise<boolean> {
    const ok = await this.deps.leases.claimRequest(id, this.id, this.deps.scheduler.now(), this.until());
    if (ok) this.held.requests.add(id);
    return ok;
  }

  releaseRequest(id: number): Promise<void> {
    return this.deps.leases.releaseRequest(id);
  }

  async claimIncoming(uid: string): Promise<boolean> {
    const ok = await this.deps.leases.claimIncoming(uid, this.id, this.deps.scheduler.now(), this.until());
    if (ok) this.held.incoming.add(uid);
    return ok;
  }

  /** Working transactions this node may take over (its own from a previous run, or a dead node's). */
  orphanedIncoming(): Promise<string[]> {
    const now = this.deps.scheduler.now();
    return this.deps.leases.orphanedIncoming(this.id, now, now - this.leaseMs);
  }

  /**
   * To whom this node may hand a transaction over for the instances it cannot decide (not in its library, or
   * their files unreadable here): the live nodes that have not tried it (none once this node tried it itself).
   * `tried`: the nodes that handed it over so far.
   */
  async handOffPlan(uid: string): Promise<{ candidates: string[]; tried: string[] }> {
    const tried = await this.deps.leases.triedNodes(uid);
    if (tried.includes(this.id)) return { candidates: [], tried };
    const others = (await this.list()).filter((n) => n.alive && n.id !== this.id && !tried.includes(n.id));
    return { candidates: others.map((n) => n.id), tried };
  }

  /** Lets go of a transaction (still Working) for a node that has not tried it. */
  async handOver(uid: string): Promise<void> {
    await this.deps.leases.handOver(uid, this.id, this.deps.scheduler.now());
    this.held.incoming.delete(uid);
  }

  async claimReport(uid: string): Promise<boolean> {
    const ok = await this.deps.leases.claimReport(uid, this.id, this.deps.scheduler.now(), this.until());
    if (ok) this.held.reports.add(uid);
    return ok;
  }

  /** Called after every heartbeat (until the returned function is called). */
  onBeat(fn: () => void): () => void {
    this.beats.add(fn);
    return () => this.beats.delete(fn);
  }

  /** Where this node listens, announced at the next heartbeat. */
  announce(address: string): void {
    if (!this.addresses.includes(address)) this.addresses.push(address);
    void this.beat().catch((e) => log('store').warn('heartbeat failed:', e));
  }

  /** Joins the registry and beats until stopped (once; later calls do nothing). */
  async start(): Promise<void> {
    if (this.timer) return;
    const now = this.deps.scheduler.now();
    await this.deps.nodes.register({ id: this.id, name: os.hostname(), version: SAFEKEEP_VERSION, addresses: this.addresses, now });
    this.timer = repeat(this.deps.scheduler, this.heartbeatMs, () => void this.beat().catch((e) => log('store').warn('heartbeat failed:', e)));
  }

  /** Alive now: every lease held renewed, then the work others left looked at. */
  async beat(): Promise<void> {
    const now = this.deps.scheduler.now();
    await this.deps.nodes.beat(this.id, now, this.addresses.length > 0 ? this.addresses : undefined);
    await this.deps.leases.renew(this.id, now, now + this.leaseMs);
    for (const fn of this.beats) fn();
  }

  /** Every node of the store, alive when its heartbeat is younger than a lease. */
  async list(): Promise<NodeInfo[]> {
    const now = this.deps.scheduler.now();
    return (await this.deps.nodes.list()).map((n) => ({ ...n, alive: now - n.heartbeatAt < this.leaseMs }));
  }

  /** Stops beating and lets go of what this process claimed, so that other nodes take the work over at once. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    this.beats.clear();
    const { requests, incoming, reports } = this.held;
    if (requests.size + incoming.size + reports.size > 0) {
      await this.deps.leases.releaseHeld(this.id, { requests: [...requests], incoming: [...incoming], reports: [...reports] });
    }
  }
}
