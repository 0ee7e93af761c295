import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/api-error';

/** Errors worth retrying: the server or the link, not the request itself. */
const TRANSIENT = new Set(['unavailable', 'timeout', 'internal']);

/**
 * Queries stay fresh through events, so there is no polling; a refetch on focus
 * covers anything missed. Client errors (4xx) are not retried.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: true,
        retry: (failures, error) => failures < 2 && (!(error instanceof ApiError) || TRANSIENT.has(error.code)),
      },
      mutations: { retry: false },
    },
  });
}
