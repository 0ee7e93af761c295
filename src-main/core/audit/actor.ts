import { AsyncLocalStorage } from 'node:async_hooks';
import { operatorName } from '../about';

/** Who is calling the core, for the audit trail: set by a host for the duration of one call. */
export interface Actor {
  user: string;
  address?: string;
}

const current = new AsyncLocalStorage<Actor>();

/** Runs `fn` on behalf of `actor` (the HTTP API: the client of the session or token, and its address). */
export function asActor<T>(actor: Actor, fn: () => T): T {
  return current.run(actor, fn);
}

/** The caller of the current call; the local operator when no host said otherwise (the desktop app, the CLI). */
export function currentActor(): Actor {
  return current.getStore() ?? { user: operatorName() };
}
