import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The file in the data folder that names its node. */
export const NODE_ID_FILE = 'node-id';
const VALID = /^[A-Za-z0-9._-]{1,80}$/;

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
    if (VALID.test(id)) return id;
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
  try {
    // 'wx': two processes starting at once agree on the first one's id.
    fs.writeFileSync(file, `${id}\n`, { flag: 'wx', mode: 0o600 });
    return id;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return nodeIdOf(dataDir);
    throw e;
  }
}
