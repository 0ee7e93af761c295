import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NODE_ID_PATTERN } from '../../../src-shared/nodes';

/** The file in the data folder that names its node. */
export const NODE_ID_FILE = 'node-id';

/**
 * This data folder's node id, made once (host name and a short random part) and kept in the folder, so that a
 * restarted node is the same node: it keeps its leases and takes back its own work at once. Two processes on
 * one data folder are one node.
 */
export function nodeIdOf(dataDir: string): string {
  const file = path.join(dataDir, NODE_ID_FILE);
  let damaged = false;
  try {
    const id = fs.readFileSync(file, 'utf8').trim();
    if (NODE_ID_PATTERN.test(id)) return id;
    damaged = true;
  } catch {
    /* not made yet */
  }
  const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 60) || 'node';
  const id = `${host}-${crypto.randomBytes(3).toString('hex')}`;
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (damaged) {
    fs.writeFileSync(file, `${id}\n`, { mode: 0o600 });
    return id;
  }
  // Written whole beside it, then linked into place (fails if it exists): two processes starting at once agree
  // on the first one's id, and neither ever reads a half-written file.
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, `${id}\n`, { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
    return id;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return nodeIdOf(dataDir);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw e;
    fs.writeFileSync(file, `${id}\n`, { flag: 'wx', mode: 0o600 }); // no hard links on this file system
    return id;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
