import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { BrowserModeOptions } from '../../src-main/core/api/http-api';
import type { Core } from '../../src-main/core/host/compose';
import { ALL_WORK, openHost, type Host } from '../../src-main/core/host/host';
import type { RunningHttpServer } from '../../src-main/core/http/server';
import { systemScheduler } from '../../src-main/core/scheduler';
import { tempDir } from './fixtures';

export interface GuardedApp {
  host: Host;
  core: Core;
  server: RunningHttpServer;
  url: string;
  port: number;
  dataDir: string;
  uploadDir: string;
  close(): Promise<void>;
}

/**
 * `safekeep serve` in browser mode as the CLI builds it (the core's HTTP app with the app's API and a
 * stand-in renderer page), on an ephemeral loopback port; token "alice-secret" for client alice.
 */
export async function startGuardedApp(
  o: { auth: boolean; allowedHosts?: string[]; clock?: { now(): number } } & Partial<BrowserModeOptions> = { auth: true },
): Promise<GuardedApp> {
  const root = tempDir();
  const rendererDir = path.join(root, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Safekeep</title><p>the app</p>');
  const dataDir = path.join(root, 'data');
  const { auth, allowedHosts, clock, ...browser } = o;
  // A test's clock moves time; timers stay real.
  const scheduler = clock ? { now: () => clock.now(), setTimer: systemScheduler.setTimer } : undefined;
  const host = await openHost({ dataDir, scheduler, authEnabled: auth, flagTokens: [{ client: 'alice', secret: 'alice-secret' }], paths: { rendererDir } });
  const { server } = await host.start({ ...ALL_WORK, http: { host: '127.0.0.1', port: 0, browser: true, allowedHosts: allowedHosts ?? [], ...browser } });
  return {
    host,
    core: host.core,
    server: server!,
    url: server!.url,
    port: server!.port,
    dataDir,
    uploadDir: path.join(dataDir, 'uploads'),
    close: async () => {
      await host.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * One HTTP request with full control of the headers (fetch may not set Host or a raw path):
 * the path is sent exactly as given.
 */
export function rawRequest(
  port: number,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string; localAddress?: string },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers: { host: `127.0.0.1:${port}`, ...o.headers }, localAddress: o.localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** A multipart/form-data body as a browser sends it (a batch field, then file parts). */
export function multipartBody(batch: string | null, files: { name: string; content: Buffer }[], boundary = '----safekeepTestBoundary7MA4YWxk'): { body: Buffer; contentType: string } {
  const parts: Buffer[] = [];
  if (batch !== null) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="batch"\r\n\r\n${batch}\r\n`));
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: application/dicom\r\n\r\n`));
    parts.push(f.content, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
