import { useMutation, useQuery, useQueryClient, type UseQueryOptions } from '@tanstack/react-query';
import type { ApiClient } from '../../../src-shared/contract/client';
import type { SafekeepResults } from '../../../src-shared/contract/handlers';
import type { ArgsOf, HandlerName } from '../../../src-shared/contract/schemas';
import { unwrap } from '../api/api-error';
import { useApi } from '../api/context';
import { apiKey, handlerKey } from './keys';

/** Calls a handler and throws its error (for react-query, which wants exceptions). */
export async function call<K extends HandlerName>(client: ApiClient, name: K, args: ArgsOf<K>): Promise<SafekeepResults[K]> {
  return unwrap(await client.send(name, args));
}

type QueryOptions<K extends HandlerName> = Omit<UseQueryOptions<SafekeepResults[K], Error, SafekeepResults[K], readonly unknown[]>, 'queryKey' | 'queryFn'>;

/** A query of one handler with its arguments; kept fresh by the events (see live-updates). */
export function useApiQuery<K extends HandlerName>(name: K, args: ArgsOf<K>, options: QueryOptions<K> = {}) {
  const client = useApi();
  return useQuery({ queryKey: apiKey(name, args), queryFn: () => call(client, name, args), ...options });
}

/**
 * A mutation of one handler. `invalidates` lists the handlers whose queries are
 * refetched afterwards (events do it too, but a little later).
 */
export function useApiMutation<K extends HandlerName>(name: K, o: { invalidates?: HandlerName[]; onSuccess?: (v: SafekeepResults[K], args: ArgsOf<K>) => void } = {}) {
  const client = useApi();
  const qc = useQueryClient();
  return useMutation<SafekeepResults[K], Error, ArgsOf<K>>({
    mutationFn: (args) => call(client, name, args),
    onSuccess: (value, args) => {
      for (const h of o.invalidates ?? []) void qc.invalidateQueries({ queryKey: handlerKey(h) });
      o.onSuccess?.(value, args);
    },
  });
}
