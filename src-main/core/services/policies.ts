import { AppError } from '../../../src-shared/contract/errors';
import { isNotFound } from '../store/not-found';
import type { PolicyInfo } from '../../../src-shared/contract/handlers';
import type { CommitmentPolicy } from '../incoming/policy';
import type { RemotesStore } from '../store/ports';

export interface PolicyRegistryDeps {
  remotes: RemotesStore;
  /** The built-in policy ('library'): the fallback of both sides. */
  library: CommitmentPolicy;
  /** Makes the policy that forwards to a remote (made once per remote, on first use). */
  forward: (remoteId: number) => CommitmentPolicy;
}

export type PolicySide = 'dicomweb' | 'dimse';

/**
 * The commitment policies, and which one decides each side's new transactions: the DICOMweb origin server's
 * and the DIMSE SCP's. 'library', or 'forward:<remote id>' for any remote that exists.
 */
export class PolicyRegistry {
  private readonly policies = new Map<string, CommitmentPolicy>();
  private readonly chosen: Record<PolicySide, string>;

  constructor(private readonly deps: PolicyRegistryDeps) {
    this.policies.set(deps.library.id, deps.library);
    this.chosen = { dicomweb: deps.library.id, dimse: deps.library.id };
  }

  /** A policy by id; undefined when there is no such policy (a forward to a remote deleted since). */
  async resolve(id: string): Promise<CommitmentPolicy | undefined> {
    const known = this.policies.get(id);
    if (known) return known;
    const m = /^forward:(\d+)$/.exec(id);
    if (!m) return undefined;
    const remoteId = Number(m[1]);
    try {
      await this.deps.remotes.get(remoteId);
    } catch (e) {
      if (isNotFound(e, 'remote')) return undefined;
      throw e;
    }
    const p = this.policies.get(id) ?? this.deps.forward(remoteId);
    this.policies.set(p.id, p);
    return p;
  }

  /** Chooses a side's policy (for this run: the stored settings are Settings' business). */
  async use(id: string, side: PolicySide = 'dicomweb'): Promise<void> {
    if (!(await this.resolve(id))) throw new AppError('bad-request', `No commitment policy "${id}": use library or forward:<remote id>`);
    this.chosen[side] = id;
  }

  /** Chooses the stored choice of each side when it still names a policy (the remote may be gone). */
  async restore(stored: Record<PolicySide, string>): Promise<void> {
    for (const side of ['dicomweb', 'dimse'] as const) if (await this.resolve(stored[side])) this.chosen[side] = stored[side];
  }

  /** The policy deciding a side's new transactions (resolved when it was chosen). */
  current(side: PolicySide = 'dicomweb'): CommitmentPolicy {
    return this.policies.get(this.chosen[side]) ?? this.deps.library;
  }

  async list(): Promise<PolicyInfo[]> {
    const ids = [this.deps.library.id, ...(await this.deps.remotes.list()).map((r) => `forward:${r.id}`)];
    return Promise.all(ids.map(async (id) => ({ id, description: await (await this.resolve(id))!.describe() })));
  }
}
