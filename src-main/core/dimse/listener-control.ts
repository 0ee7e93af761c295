import os from 'node:os';
import type { DimseListenerState } from '../../../src-shared/dimse';
import type { EventBus } from '../events';
import { log } from '../log';
import type { RemotesStore, SettingsStore, StoredSettings } from '../store/ports';
import type { DimseListenerService, DimseServiceConfig } from './service';

/** What a host may set for its run (command-line flags, tests); the stored settings fill in the rest. */
export type ListenerOverrides = Partial<DimseServiceConfig>;

export interface ListenerControlDeps {
  settings: SettingsStore;
  remotes: RemotesStore;
  events: EventBus;
  /** The stored DICOM settings when the core opened: the state shown before the first start. */
  initial: StoredSettings['dimse'];
  createService(config: DimseServiceConfig): DimseListenerService;
}

type DimseSettings = StoredSettings['dimse'];

/**
 * Runs Safekeep's DICOM listener whenever it is needed: a DIMSE remote exists (its reports
 * come back here) or DIMSE peers are configured (Safekeep is their SCP), or the host asks for
 * it. Follows the settings (AE title, listen address, port) by restarting, except where the
 * host's overrides pin them for this run. Its state is announced on every change.
 */
export class DimseListenerControl {
  private enabled = false;
  private force = false;
  private overrides: ListenerOverrides = {};
  private running: { service: DimseListenerService; aeTitle: string; host: string; port: number } | null = null;
  private current: DimseListenerState;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ListenerControlDeps) {
    this.current = this.view('stopped', 'not started by this command', deps.initial);
    // The running service answers associations from what it read of the remotes: keep it current.
    deps.events.on('data-changed', ({ tables }) => {
      if (tables.includes('remotes')) void this.running?.service.refreshRemotes().catch((e) => log('dimse').error('reading the remotes failed:', e));
    });
  }

  /**
   * The running listener reads the remotes again now. Called before an N-ACTION goes out: the archive's report
   * may come back sooner than the batched data-changed that would refresh it (a remote saved, then tested at once).
   */
  async knowRemotes(): Promise<void> {
    await this.running?.service.refreshRemotes();
  }

  get service(): DimseListenerService | null {
    return this.running?.service ?? null;
  }

  state(): DimseListenerState {
    return this.current;
  }

  /** From now on the listener runs whenever it is needed (always, with force). Overrides add up across calls. */
  enable(o: { overrides?: ListenerOverrides; force?: boolean } = {}): Promise<DimseListenerState> {
    this.enabled = true;
    this.force ||= o.force === true;
    for (const [k, v] of Object.entries(o.overrides ?? {})) if (v !== undefined) (this.overrides as Record<string, unknown>)[k] = v;
    return this.ensure();
  }

  /** Brings the listener in line with remotes, settings and overrides (after any of them changed). */
  ensure(): Promise<DimseListenerState> {
    const next = this.queue.then(() => this.apply());
    this.queue = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    this.enabled = false;
    await this.ensure();
  }

  private desired(stored: DimseSettings): DimseServiceConfig {
    return { aeTitle: stored.aeTitle, host: stored.host, port: stored.port, peers: stored.peers, ...this.overrides };
  }

  private async needed(config: DimseServiceConfig): Promise<boolean> {
    return this.force || config.peers.length > 0 || (await this.deps.remotes.list()).some((r) => r.kind === 'dimse');
  }

  private async apply(): Promise<DimseListenerState> {
    const stored = (await this.deps.settings.get()).dimse;
    const want = this.desired(stored);
    if (!this.enabled) {
      await this.halt();
      return this.publish(this.view('stopped', 'not started by this command', stored));
    }
    if (!(await this.needed(want))) {
      await this.halt();
      return this.publish(this.view('stopped', 'no DIMSE remote or peer yet: it starts when you add one', stored));
    }
    const r = this.running;
    if (r && r.aeTitle === want.aeTitle && r.host === want.host && r.port === want.port) {
      r.service.setPeers(want.peers);
      await r.service.refreshRemotes();
      return this.publish(this.view('listening', null, stored));
    }
    await this.halt();
    const service = this.deps.createService(want);
    try {
      await service.start();
    } catch (e) {
      await service.stop().catch(() => undefined);
      return this.publish(this.view('failed', listenError(e, want.host, want.port), stored));
    }
    this.running = { service, aeTitle: want.aeTitle, host: want.host, port: want.port };
    return this.publish(this.view('listening', null, stored));
  }

  private async halt(): Promise<void> {
    const r = this.running;
    this.running = null;
    await r?.service.stop();
  }

  private view(state: DimseListenerState['state'], detail: string | null, stored: DimseSettings): DimseListenerState {
    const want = this.desired(stored);
    const service = this.running?.service;
    const o = this.overrides;
    return {
      state,
      aeTitle: want.aeTitle,
      otherAeTitles: service?.otherAeTitles() ?? [],
      host: want.host,
      port: (state === 'listening' ? service?.port : null) ?? want.port,
      addresses: machineAddresses(),
      detail,
      restartNeeded:
        (o.aeTitle !== undefined && o.aeTitle !== stored.aeTitle) ||
        (o.host !== undefined && o.host !== stored.host) ||
        (o.port !== undefined && o.port !== stored.port),
    };
  }

  private publish(next: DimseListenerState): DimseListenerState {
    const changed = JSON.stringify(next) !== JSON.stringify(this.current);
    this.current = next;
    if (changed) this.deps.events.emit('dimse-listener-changed', next);
    return next;
  }
}

/** Why listening failed, with what to do about it. */
function listenError(e: unknown, host: string, port: number): string {
  const code = (e as { code?: string }).code;
  if (code === 'EADDRINUSE') return `port ${port} on ${host} is in use (by another Safekeep or DICOM program?): choose another DICOM port in Settings`;
  if (code === 'EACCES') return `port ${port} needs administrator rights: choose a DICOM port above 1023 in Settings`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `${host} is not an address of this machine: change the DICOM listen address in Settings`;
  return `cannot listen on ${host}:${port}: ${(e as Error).message}`;
}

/** This machine's addresses other than loopback (IPv4 first), as an archive elsewhere would use them. */
function machineAddresses(): string[] {
  const all = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
  const usable = all.filter((a) => !a.internal && !(a.family === 'IPv6' && a.address.startsWith('fe80')));
  return [...usable.filter((a) => a.family === 'IPv4'), ...usable.filter((a) => a.family !== 'IPv4')].map((a) => a.address);
}
