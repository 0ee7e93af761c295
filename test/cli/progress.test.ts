import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliToEnd, SAFEKEEP_BIN } from '../support/cli';
import { answerFor, startFaultServer, type Behavior } from '../support/fault-server';
import { makeLibrary, tempDir, type GeneratedInstance } from '../support/fixtures';

const pad = (n: number) => String(n).padStart(2, '0');
/** The request deadline as the CLI words it: a time of day, "tomorrow HH:MM", or with the date. */
function givesUpAt(at: number): string {
  const d = new Date(at);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const tomorrow = new Date();
  tomorrow.setDate(tomorrow.getDate() + 1);
  if (d.toDateString() === new Date().toDateString()) return hm;
  if (d.toDateString() === tomorrow.toDateString()) return `tomorrow ${hm}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}

describe('commit says what is happening while the archive errs, and keeps failure reasons whole', () => {
  let root: string;
  let lib: string;
  let instances: GeneratedInstance[];
  let known: Set<string>;

  beforeAll(() => {
    root = tempDir();
    lib = path.join(root, 'lib');
    instances = makeLibrary(lib, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 3 });
    known = new Set(instances.map((i) => i.sopInstanceUid));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  /** An archive that answers HTTP 500 to the first two POSTs, then commits everything. */
  const failingTwice = (): Behavior => {
    let posts = 0;
    return (req, { posted }) => {
      if (req.method !== 'POST') return { status: 404 };
      posts++;
      return posts <= 2 ? { status: 500, body: '{"error":"Database is locked"}' } : answerFor(posted.get(req.uid)!);
    };
  };

  it('stderr gets a line per retry naming the HTTP status, the retry and the give-up time; stdout stays one JSON document', async () => {
    const fault = await startFaultServer(failingTwice(), { known });
    try {
      const data = path.join(root, 'retry');
      const r = await runCliToEnd(['commit', lib, '--to', fault.url, '--flat', '--data', data, '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ totals: { instances: 3, committed: 3 } });
      const request = (JSON.parse((await runCliToEnd(['status', '--json', '--data', data])).stdout) as { requests: { id: number; sentAt: number }[] }).requests[0]!;
      // The remote's deadline (24 h by default) runs from the first send.
      const until = givesUpAt(request.sentAt + 24 * 3600_000);
      const lines = r.stderr.split('\n').filter(Boolean);
      expect(lines[0]).toMatch(new RegExp(`^request ${request.id}: archive answered HTTP 500; retry 1 (in \\d+ s|now); gives up at ${until}$`));
      expect(lines[1]).toMatch(new RegExp(`^request ${request.id}: archive answered HTTP 500; retry 2 (in \\d+ s|now); gives up at ${until}$`));
      expect(fault.seen.filter((s) => s.method === 'POST')).toHaveLength(3);
    } finally {
      await fault.close();
    }
  });

  it('on a terminal, the progress line carries the same words (only the situation when it is narrow)', async () => {
    let fault = await startFaultServer(failingTwice(), { known });
    try {
      // util-linux script(1) runs the command on a pseudo-terminal, here 200 and then 80 columns wide.
      const onTerminal = (columns: number) => {
        const command = [process.execPath, SAFEKEEP_BIN, 'commit', lib, '--to', fault.url, '--flat', '--data', path.join(root, `tty${columns}`)].join(' ');
        return new Promise<string>((resolve, reject) =>
          execFile('script', ['-qfec', `stty cols ${columns}; ${command}`, '/dev/null'], (err, stdout) => (err ? reject(err) : resolve(stdout))),
        );
      };
      const wide = await onTerminal(200);
      expect(wide).toMatch(/\r3 instances in 1 request\(s\): 0 committed, 0 failed, 3 pending — archive answered HTTP 500; retry 1 (in \d+ s|now); gives up at (tomorrow )?\d\d:\d\d\x1b\[K/);
      expect(wide).toMatch(/Committed 3 of 3 instance\(s\)/);
      await fault.close();
      fault = await startFaultServer(failingTwice(), { known });
      const narrow = await onTerminal(80);
      expect(narrow).toMatch(/\rarchive answered HTTP 500; retry 1 (in \d+ s|now); gives up at (tomorrow )?\d\d:\d\d\x1b\[K/);
    } finally {
      await fault.close();
    }
  });

  it('a failure reason with colons is printed whole in the summary', async () => {
    const why = 'Refused: rule 7: the calling application is not registered: ask the archive team';
    const fault = await startFaultServer((req) => (req.method === 'POST' ? { status: 400, body: JSON.stringify({ error: why }) } : { status: 404 }), { known });
    try {
      const r = await runCliToEnd(['commit', lib, '--to', fault.url, '--flat', '--data', path.join(root, 'refused'), '--quiet']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`  failed: 3 × The archive refused the request: HTTP 400: ${why}\n`);
    } finally {
      await fault.close();
    }
  });
});
