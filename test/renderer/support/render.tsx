import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { ApiClient } from '../../../src-shared/contract/client';
import type { AppApi } from '../../../src-renderer/src/api/client';
import { ApiProvider } from '../../../src-renderer/src/api/context';

export function testQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 0 }, mutations: { retry: false } } });
}

export function appApiOf(client: ApiClient, extra: Partial<AppApi> = {}): AppApi {
  return { client, http: null, preload: null, ...extra };
}

/** Renders a piece of the app with its providers (a fresh query cache each time). */
export function renderWithApi(ui: ReactNode, o: { client: ApiClient; api?: Partial<AppApi>; queryClient?: QueryClient }) {
  const queryClient = o.queryClient ?? testQueryClient();
  const api = appApiOf(o.client, o.api);
  const result = render(
    <QueryClientProvider client={queryClient}>
      <ApiProvider api={api}>{ui}</ApiProvider>
    </QueryClientProvider>,
  );
  return { ...result, queryClient, api };
}
