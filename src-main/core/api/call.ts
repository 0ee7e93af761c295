import { AppError } from '../../../src-shared/contract/errors';
import type { SafekeepResults } from '../../../src-shared/contract/handlers';
import { ArgSchemas, type ArgsOf, type HandlerName } from '../../../src-shared/contract/schemas';
import type { CoreHandlers } from './handlers';
import { validateArgs } from './validate';

/** A call of the contract by name, as every host makes it: the CLI in-process, the IPC and HTTP bridges. */
export type Caller = <K extends HandlerName>(name: K, args: ArgsOf<K>) => Promise<SafekeepResults[K]>;

/** Calls a handler by a name and arguments that come from outside: both are checked first (the contract's zod schemas). */
export async function callHandler(handlers: CoreHandlers, name: unknown, raw: unknown): Promise<unknown> {
  if (typeof name !== 'string' || !(name in ArgSchemas)) throw new AppError('not-found', `No API call "${String(name)}"`);
  const args = validateArgs(name as HandlerName, raw);
  return (handlers[name as HandlerName] as (a: unknown) => unknown)(args);
}

/** The in-process caller: the same validation as the bridges, so the CLI gets the same errors as the app. */
export function inProcessCaller(handlers: CoreHandlers): Caller {
  return (name, args) => callHandler(handlers, name, args) as Promise<never>;
}
