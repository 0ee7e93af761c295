import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron'));

import * as fake from './fake-electron';
import { CHANNEL } from '../../src-main/electron/channels';

describe('preload', () => {
  it('exposes exactly the contract on window.safekeep', async () => {
    await import('../../src-main/electron/preload');
    const api = fake.exposed.safekeep as Record<string, (...a: any[]) => any>;
    expect(Object.keys(api).sort()).toEqual(['on', 'pathsOf', 'printToPdf', 'send']);
    await api.send!('library-summary', {});
    expect(fake.ipcRenderer.invoked.at(-1)).toEqual([CHANNEL.send, 'library-summary', {}]);
    const seen: unknown[] = [];
    const off = api.on!((name: string, payload: unknown) => seen.push([name, payload]));
    fake.ipcRenderer.emit(CHANNEL.event, {}, 'data-changed', { tables: ['outgoing'] });
    off();
    fake.ipcRenderer.emit(CHANNEL.event, {}, 'data-changed', { tables: ['library'] });
    expect(seen).toEqual([['data-changed', { tables: ['outgoing'] }]]);
    expect(api.pathsOf!([{ name: 'a.dcm', path: '/data/a.dcm' }, { name: 'b' }])).toEqual(['/data/a.dcm', '/dropped/b']);
  });
});
