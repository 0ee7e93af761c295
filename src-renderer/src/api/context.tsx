import { createContext, useContext, type ReactNode } from 'react';
import type { ApiClient } from '../../../src-shared/contract/client';
import type { AppApi } from './client';

const ApiContext = createContext<AppApi | null>(null);

export function ApiProvider({ api, children }: { api: AppApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useAppApi(): AppApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useAppApi outside <ApiProvider>');
  return api;
}

export function useApi(): ApiClient {
  return useAppApi().client;
}
