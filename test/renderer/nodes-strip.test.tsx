// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { NodeInfo } from '../../src-shared/nodes';
import { NodesStrip } from '../../src-renderer/src/screens/nodes/NodesStrip';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';

setupDom();

const node = (id: string, o: Partial<NodeInfo> = {}): NodeInfo => ({
  id,
  name: id,
  startedAt: Date.now() - 60_000,
  heartbeatAt: Date.now() - 5_000,
  addresses: [`http://${id}:8080`],
  version: '1',
  alive: true,
  requests: 0,
  ...o,
});

describe('the nodes strip (Outgoing and Incoming)', () => {
  it('shows every node of the store, alive or silent, with the requests each works on', async () => {
    const api = new FakeApi().on('nodes-list', () => ({ self: 'ws-1', nodes: [node('ws-1', { requests: 4 }), node('ws-2', { alive: false, requests: 0 })] }));
    renderWithApi(<NodesStrip />, { client: api });
    const strip = await screen.findByTestId('nodes-strip');
    await waitFor(() => expect(strip.textContent).toContain('ws-1 (this node)'));
    expect(strip.textContent).toContain('4 request(s)');
    expect(strip.textContent).toMatch(/ws-2.*silent/);
  });

  it('says nothing for a single workstation', async () => {
    const api = new FakeApi().on('nodes-list', () => ({ self: 'ws-1', nodes: [node('ws-1')] }));
    renderWithApi(<NodesStrip />, { client: api });
    await waitFor(() => expect(api.callsOf('nodes-list')).toHaveLength(1));
    expect(screen.queryByTestId('nodes-strip')).toBeNull();
  });
});
