// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { NodeInfo } from '../../src-shared/nodes';
import { LibraryNodeNote } from '../../src-renderer/src/screens/library/NodeNote';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';

setupDom();

const node = (id: string): NodeInfo => ({ id, name: id, startedAt: 0, heartbeatAt: Date.now(), addresses: [], version: '1', alive: true, requests: 0 });

describe('the Library screen with several nodes', () => {
  it("says it is this node's library, and that the other nodes index their own folders", async () => {
    const api = new FakeApi().on('nodes-list', () => ({ self: 'ws-2', nodes: [node('ws-1'), node('ws-2'), node('ws-3')] }));
    renderWithApi(<LibraryNodeNote />, { client: api });
    const note = await screen.findByTestId('library-node-note');
    expect(note.textContent).toContain('the library of this node, ws-2');
    expect(note.textContent).toContain('the 2 other nodes index their own folders');
  });

  it('says nothing on a single workstation', async () => {
    const api = new FakeApi().on('nodes-list', () => ({ self: 'ws-1', nodes: [node('ws-1')] }));
    renderWithApi(<LibraryNodeNote />, { client: api });
    await waitFor(() => expect(api.callsOf('nodes-list')).toHaveLength(1));
    expect(screen.queryByTestId('library-node-note')).toBeNull();
  });
});
