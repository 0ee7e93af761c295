/**
 * Browser-mode upload: the server's peak resident memory while one 200 MB file is uploaded to
 * /api/upload (multipart/form-data, streamed by this script), against a named peer run here too:
 * a bare Node HTTP server that pipes the request body into a file (the floor of streaming to disk).
 *   npm run build && npx tsx bench/upload.ts [--mb 200] [--root DIR]   (--root: another checkout's built CLI, e.g. main)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { arg, BENCH_DIR, CACHE_DIR, fmt, peakRssMiB, table } from './support';

const mb = arg('mb', 200);
const rootArg = process.argv.indexOf('--root');
const root = rootArg > 0 ? path.resolve(process.argv[rootArg + 1]!) : path.resolve(BENCH_DIR, '..');
fs.mkdirSync(CACHE_DIR, { recursive: true });

function waitForUrl(child: ChildProcess, re: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = re.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

/** POSTs one file of `bytes` random-ish bytes as multipart, generated chunk by chunk (the client holds 1 MiB). */
function postUpload(url: string, bytes: number, pid: number): Promise<{ status: number; peak: number }> {
  const boundary = '----benchBoundary';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="batch"\r\n\r\nbench\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.dcm"\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(1024 * 1024, 0x5a);
  return new Promise((resolve, reject) => {
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, peakRssMiB(pid))), 50);
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + bytes + tail.length, 'x-safekeep-request': '1' },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          clearInterval(sample);
          resolve({ status: res.statusCode!, peak: Math.max(peak, peakRssMiB(pid)) });
        });
      },
    );
    req.on('error', reject);
    req.write(head);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        const n = Math.min(chunk.length, bytes - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end(tail);
    };
    pump();
  });
}

const peaks: number[] = [];

async function measure(name: string, cmd: string[], re: RegExp, target: (url: string) => string): Promise<(string | number)[]> {
  const child = spawn(process.execPath, cmd, { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await waitForUrl(child, re);
    const idle = peakRssMiB(child.pid!);
    const t = performance.now();
    const r = await postUpload(target(url), mb * 1024 * 1024, child.pid!);
    peaks.push(r.peak);
    return [name, r.status, fmt(idle), fmt(r.peak), fmt(r.peak - idle), fmt((performance.now() - t) / 1000)];
  } finally {
    child.kill('SIGTERM');
  }
}

const data = fs.mkdtempSync(path.join(CACHE_DIR, 'upload-data-'));
const sink = path.join(data, 'bare-sink');
const bare = `require('http').createServer((q, s) => q.pipe(require('fs').createWriteStream(${JSON.stringify(sink)})).on('finish', () => s.end('ok'))).listen(0, '127.0.0.1', function () { console.log('bare on http://127.0.0.1:' + this.address().port) })`;
const rows: (string | number)[][] = [['server', 'status', 'idle RSS (MiB)', 'peak RSS (MiB)', 'growth (MiB)', 'time (s)']];
console.log(`Uploading one ${mb} MB file; Safekeep built at ${root}`);
rows.push(await measure('bare pipe to file (peer)', ['-e', bare], /bare on (http:\/\/\S+)/, (u) => u));
rows.push(await measure('safekeep serve', [path.join(root, 'bin', 'safekeep.mjs'), 'serve', '--no-auth', '--port', '0', '--quiet', '--data', data], /Safekeep listening on (http:\/\/\S+)/, (u) => `${u}/api/upload`));
console.log(table(rows));
console.log(`Safekeep's peak / the bare pipe's peak: ${fmt(peaks[1]! / peaks[0]!, 2)}`);
fs.rmSync(data, { recursive: true, force: true });
