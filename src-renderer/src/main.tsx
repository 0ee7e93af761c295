import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { createAppApi } from './api/client';
import { syncNavigationWithHash } from './state/navigation';
import './styles/app.css';
import './styles/print.css';

const api = createAppApi();
syncNavigationWithHash();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} />
  </StrictMode>,
);
