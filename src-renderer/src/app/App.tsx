import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AppApi } from '../api/client';
import { ApiProvider } from '../api/context';
import { createQueryClient } from './query-client';
import { SessionGate } from './SessionGate';
import { Shell } from './Shell';

/** The whole renderer for one API (Electron IPC or HTTP); tests give it a fake one. */
export function App({ api, queryClient }: { api: AppApi; queryClient?: QueryClient }) {
  const [qc] = useState(() => queryClient ?? createQueryClient());
  return (
    <QueryClientProvider client={qc}>
      <ApiProvider api={api}>
        <SessionGate>
          <Shell />
        </SessionGate>
      </ApiProvider>
    </QueryClientProvider>
  );
}
