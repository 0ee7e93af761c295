/**
 * Test support: a real Orthanc (Debian's /usr/sbin/Orthanc, 1.10.x) on loopback ephemeral ports,
 * plus a thin wrapper around dcmtk's storescu. (Test DICOM files: test/support/dicom-writer.ts.)
 *
 * Nothing here is mocked: tests that use it talk DICOM and HTTP to a real process.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeLibrary, type GeneratedInstance } from './fixtures';

export const ORTHANC_BINARY = process.env.SAFEKEEP_ORTHANC_BIN ?? '/usr/sbin/Orthanc';

export interface OrthancHandle {
  aeTitle: string;
  dicomPort: number;
  httpPort: number;
  /** http://127.0.0.1:<httpPort> */
  url: string;
  /** The last lines Orthanc wrote (stdout and stderr interleaved). */
  logTail(): string;
  /** Kills Orthanc and removes its temp dir. */
  stop(): Promise<void>;
  /** Kills Orthanc (SIGKILL) and keeps its storage: `restart()` brings it back on the same ports. */
  kill(): Promise<void>;
  /** Starts Orthanc again after kill(), same configuration, ports and storage; resolves once it answers. */
  restart(): Promise<void>;
  /** Freezes Orthanc (SIGSTOP): connections are still accepted by the kernel, nothing is answered. */
  pause(): void;
  /** JSON REST call; throws with status and body on a non-2xx answer. */
  rest<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T>;
}

export interface StartOrthancOptions {
  aeTitle?: string;
  /** Orthanc's "DicomModalities": symbolic name -> [AE title, host, port]. */
  modalities: Record<string, [aet: string, host: string, port: number]>;
  /** Extra configuration keys; they override the defaults written here. */
  config?: Record<string, unknown>;
  /** How long to wait for GET /system (default 30 s). */
  startTimeoutMs?: number;
  /** Pass --verbose to Orthanc (its log is kept in logTail()). */
  verbose?: boolean;
  /** Load Orthanc's DICOMweb plugin; its service root is then `${url}/dicom-web`. */
  dicomWeb?: boolean;
  /**
   * DICOM TLS on Orthanc's DICOM port and toward every modality ("UseDicomTls": true), with its certificate,
   * the CA it trusts, and whether SCUs must present a certificate (default true).
   */
  tls?: { cert: string; key: string; trusted: string; remoteCertificateRequired?: boolean };
}

/** Orthanc 1.10's DICOM TLS configuration keys (Orthanc >= 1.9.0). */
function tlsConfig(t: NonNullable<StartOrthancOptions['tls']>): Record<string, unknown> {
  return {
    DicomTlsEnabled: true,
    DicomTlsCertificate: t.cert,
    DicomTlsPrivateKey: t.key,
    DicomTlsTrustedCertificates: t.trusted,
    DicomTlsRemoteCertificateRequired: t.remoteCertificateRequired ?? true,
  };
}

/** Debian's build of the Orthanc DICOMweb plugin (package orthanc-dicomweb). */
export const ORTHANC_DICOMWEB_PLUGIN = process.env.SAFEKEEP_ORTHANC_DICOMWEB ?? '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

/** A TCP port that was free on 127.0.0.1 a moment ago (bind port 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the ephemeral port'));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class RingLog {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly max = 200) {}
  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.max) this.lines.shift();
    }
  }
  tail(n = 40): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-n).join('\n');
  }
}

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

async function startOnce(o: StartOrthancOptions): Promise<OrthancHandle> {
  const aeTitle = o.aeTitle ?? 'ORTHANC';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'safekeep-orthanc-'));
  const dicomPort = await freePort();
  let httpPort = await freePort();
  while (httpPort === dicomPort) httpPort = await freePort();

  // Object form of DicomModalities entries (documented in /etc/orthanc/orthanc.json for 1.10):
  // { "AET", "Host", "Port", "Allow*" flags }. All Allow* default to true.
  const modalities: Record<string, unknown> = {};
  for (const [name, [aet, host, port]] of Object.entries(o.modalities)) {
    modalities[name] = { AET: aet, Host: host, Port: port, ...(o.tls ? { UseDicomTls: true } : {}) };
  }
  const config: Record<string, unknown> = {
    Name: `safekeep-test-${aeTitle}`,
    StorageDirectory: path.join(dir, 'storage'),
    IndexDirectory: path.join(dir, 'index'),
    TemporaryDirectory: path.join(dir, 'tmp'),
    HttpServerEnabled: true,
    HttpPort: httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    HttpDescribeErrors: true,
    DicomServerEnabled: true,
    DicomAet: aeTitle,
    DicomPort: dicomPort,
    DicomCheckCalledAet: true,
    // Unknown AEs may store (storescu in tests), but not echo: an unknown calling AE must fail.
    DicomAlwaysAllowEcho: false,
    DicomAlwaysAllowStore: true,
    DicomCheckModalityHost: false,
    DicomModalities: modalities,
    DicomModalitiesInDatabase: false,
    // Orthanc's own SCU side (report on a new association, N-ACTION to a modality).
    DicomScuTimeout: 5,
    DicomScpTimeout: 30,
    StorageCommitmentReportsSize: 100,
    SaveJobs: false,
    Plugins: o.dicomWeb ? [ORTHANC_DICOMWEB_PLUGIN] : [],
    ...(o.dicomWeb ? { DicomWeb: { Enable: true, Root: '/dicom-web/' } } : {}),
    ...(o.tls ? tlsConfig(o.tls) : {}),
    ...o.config,
  };
  const configPath = path.join(dir, 'orthanc.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));

  const log = new RingLog();
  const args = o.verbose ? ['--verbose', configPath] : [configPath];
  let child!: ChildProcess;
  let spawnError: Error | undefined;
  const launch = () => {
    spawnError = undefined;
    child = spawn(ORTHANC_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // A test worker that dies (failed hook, timeout) must not leave Orthanc running.
    const running = child;
    const killOnExit = () => running.kill('SIGKILL');
    process.on('exit', killOnExit);
    running.on('exit', () => process.off('exit', killOnExit));
    running.stdout?.on('data', (c: Buffer) => log.push(c));
    running.stderr?.on('data', (c: Buffer) => log.push(c));
    running.on('error', (err) => {
      spawnError = err;
    });
  };
  launch();

  const url = `http://127.0.0.1:${httpPort}`;
  let stopped = false;
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      // A graceful stop (SIGTERM) takes Orthanc 1.10 about 3.5 s (HTTP server 2 s, DICOM server 1 s);
      // its storage is a throw-away temp dir, so a test Orthanc is simply killed.
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
  };
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await kill();
    await rm(dir, { recursive: true, force: true });
  };

  const rest = async <T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T> => {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    const res = await fetch(`${url}${urlPath}`, init);
    const text = await res.text();
    if (!res.ok) throw new Error(`Orthanc ${method} ${urlPath} -> ${res.status}: ${text}`);
    if (text.length === 0) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  };

  const waitUntilUp = async (): Promise<void> => {
    const deadline = Date.now() + (o.startTimeoutMs ?? 30_000);
    for (;;) {
      if (spawnError) {
        await stop();
        throw new Error(`could not start ${ORTHANC_BINARY}: ${spawnError.message}`);
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        const tail = log.tail();
        await stop();
        const err = new Error(
          `Orthanc exited during start-up (code ${child.exitCode}, signal ${child.signalCode}). Last output:\n${tail}`,
        );
        (err as Error & { startupExit?: boolean }).startupExit = true;
        throw err;
      }
      try {
        const res = await fetch(`${url}/system`, { signal: AbortSignal.timeout(1_000) });
        if (res.ok) {
          await res.arrayBuffer();
          break;
        }
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        const tail = log.tail();
        await stop();
        throw new Error(`Orthanc did not answer GET /system within ${o.startTimeoutMs ?? 30_000} ms. Last output:\n${tail}`);
      }
      await sleep(100);
    }
  };
  await waitUntilUp();

  const restart = async (): Promise<void> => {
    await kill();
    launch();
    await waitUntilUp();
  };
  const pause = () => void child.kill('SIGSTOP');
  return { aeTitle, dicomPort, httpPort, url, logTail: () => log.tail(200), stop, kill, restart, pause, rest };
}

/**
 * Starts Orthanc with a temporary configuration (storage and index in a temp dir,
 * DICOM and HTTP on free loopback ports). A start-up exit (typically a port taken
 * between choosing and binding it) is retried twice with new ports.
 */
export async function startOrthanc(o: StartOrthancOptions): Promise<OrthancHandle> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(o);
    } catch (err) {
      lastError = err;
      if (!(err as { startupExit?: boolean }).startupExit) throw err;
    }
  }
  throw lastError;
}

function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        return;
      }
      resolve({ stdout, stderr });
    });
  });
}

/** Sends files with dcmtk's storescu; rejects when storescu exits non-zero. `options`: more storescu options (e.g. +tls). */
export async function storeWithStorescu(
  files: string[],
  target: { aeTitle: string; port: number; host?: string },
  callingAeTitle = 'STORESCU',
  options: string[] = [],
): Promise<void> {
  await run('storescu', ['-aet', callingAeTitle, '-aec', target.aeTitle, ...options, target.host ?? '127.0.0.1', String(target.port), ...files]);
}

/** Orthanc's ID of an instance, or undefined when it does not hold it. */
export async function orthancInstanceId(orthanc: OrthancHandle, sopInstanceUid: string): Promise<string | undefined> {
  const found = await orthanc.rest<Array<{ ID: string; Type: string }>>('POST', '/tools/lookup', sopInstanceUid);
  return found.find((f) => f.Type === 'Instance')?.ID;
}

/** Removes an instance Orthanc holds (the archive "loses" it). */
export async function deleteFromOrthanc(orthanc: OrthancHandle, sopInstanceUid: string): Promise<void> {
  const id = await orthancInstanceId(orthanc, sopInstanceUid);
  if (!id) throw new Error(`Orthanc does not hold ${sopInstanceUid}`);
  await orthanc.rest('DELETE', `/instances/${id}`);
}

/**
 * A generated library under `root`/lib, and an Orthanc that holds its first `stored` instances
 * (sent with storescu) and knows Safekeep as SAFEKEEP on a free port, where its reports go.
 */
export async function orthancWithLibrary(
  root: string,
  spec: Parameters<typeof makeLibrary>[1],
  stored: number,
): Promise<{ lib: string; instances: GeneratedInstance[]; orthanc: OrthancHandle; safekeepPort: number }> {
  const lib = path.join(root, 'lib');
  const instances = makeLibrary(lib, spec);
  const safekeepPort = await freePort();
  const orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', '127.0.0.1', safekeepPort] } });
  await storeWithStorescu(instances.slice(0, stored).map((i) => i.path), { aeTitle: orthanc.aeTitle, port: orthanc.dicomPort });
  return { lib, instances, orthanc, safekeepPort };
}
