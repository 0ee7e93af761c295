import type { ArgsOf, HandlerName } from '../../../src-shared/contract/schemas';

/** Every query of the core is keyed [API, handler, args]; invalidation goes by handler (and args). */
export const API = 'safekeep' as const;

export type ApiKey<K extends HandlerName = HandlerName> = readonly [typeof API, K, ArgsOf<K>];

export function apiKey<K extends HandlerName>(name: K, args: ArgsOf<K>): ApiKey<K> {
  return [API, name, args] as const;
}

export function handlerKey(name: HandlerName): readonly [typeof API, HandlerName] {
  return [API, name] as const;
}

/** The arguments of a query key, if it is one of ours for `name`. */
export function argsOfKey<K extends HandlerName>(key: readonly unknown[], name: K): ArgsOf<K> | undefined {
  return key[0] === API && key[1] === name ? (key[2] as ArgsOf<K>) : undefined;
}
