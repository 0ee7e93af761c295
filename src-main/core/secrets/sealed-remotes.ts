import type { RemoteInput } from '../../../src-shared/remotes';
import type { RemotesStore } from '../store/ports';
import { isSealed, type SecretSealer } from './sealer';

/**
 * The remotes port with secrets sealed on the way in and opened on the way out (withSecret, for the engine
 * only): whatever the store, it never holds a remote's password or token in plain text.
 */
export function sealedRemotes(inner: RemotesStore, sealer: SecretSealer): RemotesStore {
  return {
    list: () => inner.list(),
    get: (id) => inner.get(id),
    findByName: (name) => inner.findByName(name),
    recordTest: (id, t) => inner.recordTest(id, t),
    delete: (id) => inner.delete(id),
    save: (input: RemoteInput, now, id) => inner.save(typeof input.secret === 'string' ? { ...input, secret: sealer.seal(input.secret) } as RemoteInput : input, now, id),
    withSecret: async (id) => {
      const r = await inner.withSecret(id);
      // A secret stored before sealing existed is still read (and sealed at the next start).
      return r.secret === null || !isSealed(r.secret) ? r : { ...r, secret: sealer.open(r.secret) };
    },
    ...(inner.replaceSecret ? { replaceSecret: inner.replaceSecret.bind(inner) } : {}),
  };
}

/** Seals the secrets an earlier version stored in plain text (at start-up). Returns how many. */
export async function sealPlainSecrets(inner: RemotesStore, sealer: SecretSealer): Promise<number> {
  if (!inner.replaceSecret) return 0;
  let n = 0;
  for (const r of await inner.list()) {
    if (!r.hasSecret) continue;
    const { secret } = await inner.withSecret(r.id);
    if (secret !== null && !isSealed(secret)) {
      await inner.replaceSecret(r.id, sealer.seal(secret));
      n++;
    }
  }
  return n;
}
