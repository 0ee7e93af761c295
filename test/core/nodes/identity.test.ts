import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NODE_ID_FILE, nodeIdOf } from '../../../src-main/core/nodes/identity';
import { tempDir } from '../../support/fixtures';

describe('the node id of a data folder', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('is made once (host name and a random part), kept in the folder, and the same at every start', () => {
    const dir = path.join(tempDir(), 'data');
    dirs.push(path.dirname(dir));
    const id = nodeIdOf(dir);
    expect(id).toMatch(/^[A-Za-z0-9.-]+-[0-9a-f]{6}$/);
    expect(id.startsWith(os.hostname().replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 60))).toBe(true);
    expect(fs.readFileSync(path.join(dir, NODE_ID_FILE), 'utf8').trim()).toBe(id);
    expect(fs.statSync(path.join(dir, NODE_ID_FILE)).mode & 0o777).toBe(0o600);
    expect(nodeIdOf(dir)).toBe(id);
  });

  it('two data folders are two nodes; a damaged file is replaced', () => {
    const [a, b] = [tempDir(), tempDir()];
    dirs.push(a, b);
    expect(nodeIdOf(a)).not.toBe(nodeIdOf(b));
    fs.writeFileSync(path.join(a, NODE_ID_FILE), 'not an id: spaces and ../\n');
    const fresh = nodeIdOf(a);
    expect(fresh).toMatch(/-[0-9a-f]{6}$/);
    expect(nodeIdOf(a)).toBe(fresh);
  });
});
