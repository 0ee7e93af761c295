import { AppError } from '../../../src-shared/contract/errors';
import type { RemoteTestResult, RemoteInput, RemoteView } from '../../../src-shared/remotes';
import type { Clock } from '../scheduler';
import { remoteAddress, sameAddress } from '../remotes/address';
import type { RemoteWithSecret } from '../remotes/model/remote';
import type { RemotesStore } from '../store/ports';

export interface RemotesServiceDeps {
  store: RemotesStore;
  clock: Clock;
  /** Brings the DICOM listener in line with the remotes (the first DIMSE remote starts it). */
  ensureListener(): Promise<unknown>;
  /** Proves that a remote answers and accepts Safekeep, with the driver of its protocol. */
  test(remote: RemoteWithSecret): Promise<{ ok: boolean; message: string }>;
}

/** The remote archives: saved, deleted, tested, found by name or address. */
export class RemotesService {
  constructor(private readonly deps: RemotesServiceDeps) {}

  list(): Promise<RemoteView[]> {
    return this.deps.store.list();
  }

  /** Throws AppError not-found. */
  get(id: number): Promise<RemoteView> {
    return this.deps.store.get(id);
  }

  /** By its name, or by its address (a DICOMweb base URL, dicom://AET@host:port or AET@host:port); null: none. */
  async find(by: { name?: string; address?: string }): Promise<RemoteView | null> {
    if (by.name !== undefined) return (await this.deps.store.findByName(by.name)) ?? null;
    const address = by.address ?? '';
    return (await this.deps.store.list()).find((r) => sameAddress(remoteAddress(r), address)) ?? null;
  }

  /** Creates (no id) or updates a remote; the first DIMSE remote starts the listener (its reports come back there). */
  async save(input: RemoteInput, id?: number): Promise<RemoteView> {
    const v = await this.deps.store.save(input, this.deps.clock.now(), id);
    await this.deps.ensureListener();
    return v;
  }

  async delete(id: number): Promise<void> {
    await this.deps.store.delete(id);
    await this.deps.ensureListener();
  }

  /** Proves that a remote is reachable and accepts our credentials; the message says exactly what happened. */
  async test(id: number): Promise<RemoteTestResult> {
    const remote = await this.deps.store.withSecret(id);
    if (remote.kind !== 'dicomweb' && remote.kind !== 'dimse') throw new AppError('bad-request', `Remotes of kind ${(remote as { kind: string }).kind} are not supported yet`);
    const t = performance.now();
    const r = await this.deps.test(remote);
    // Kept, so that the Remotes list and the Verify dialog can warn about a remote that failed its Test.
    await this.deps.store.recordTest(id, { ok: r.ok, message: r.message, at: this.deps.clock.now() });
    return { ...r, elapsedMs: Math.round(performance.now() - t) };
  }
}
