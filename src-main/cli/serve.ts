import fs from 'node:fs';
import path from 'node:path';
import type { SyslogTarget } from '../core/audit/syslog';
import { listenerProblem } from '../../src-shared/dimse';
import { SafekeepCore } from '../core/app';
import { isLoopbackHost } from '../core/origin/auth';
import { listenHttp } from '../core/http/server';
import { builtPaths } from '../core/built-paths';
import { usageError } from './errors';
import type { SafekeepCore as Core } from '../core/app';
import { dataDirOf } from './options';
import { printScanSummary, scanAndSummarise } from './scan';

export interface ServeOptions {
  data?: string;
  library?: string[];
  host?: string;
  port?: number;
  token?: { client: string; secret: string }[];
  auth: boolean;
  allowedHost?: string[];
  auditSyslog?: string;
  auditSyslogCa?: string;
  maxUploadMb?: number;
  syncWindow?: number;
  retentionDays?: number;
  quiet?: boolean;
  dimsePort?: number;
  dimseHost?: string;
  aeTitle?: string;
  peer?: { aeTitle: string; host: string; port: number }[];
  policy?: string;
  dimsePolicy?: string;
}

/** --audit-syslog udp://host:port | tls://host:port, with --audit-syslog-ca for TLS. */
function syslogTarget(url: string, caFile: string | undefined): SyslogTarget {
  if (!/^(udp|tls):\/\/[^/:]+(:\d+)?\/?$/.test(url) && !/^(udp|tls):\/\/\[[0-9a-f:.]+\](:\d+)?\/?$/i.test(url)) {
    throw usageError(`Invalid --audit-syslog "${url}": use udp://host:514 or tls://host:6514`);
  }
  if (!caFile) return { url };
  try {
    return { url, ca: fs.readFileSync(caFile) };
  } catch (e) {
    throw usageError(`Cannot read --audit-syslog-ca ${caFile}: ${(e as Error).message}`);
  }
}

/** "library" or "forward:<remote name>" -> a policy id of the core. */
export async function policyId(core: Core, value: string, flag: string): Promise<string> {
  if (value === 'library') return value;
  const m = /^forward:(.+)$/.exec(value);
  const remote = m ? await core.remotes.findByName(m[1]!) : undefined;
  if (!remote) {
    const names = (await core.remotes.list()).map((r) => r.name);
    throw usageError(`Invalid ${flag} "${value}": use library or forward:<remote name>${names.length ? ` (remotes: ${names.join(', ')})` : ' (add one with "safekeep remote add")'}`);
  }
  return `forward:${remote.id}`;
}

/**
 * `safekeep serve`: scan the library, then serve the origin server until SIGINT/SIGTERM.
 * Returns when stopped.
 */
export async function serveCommand(o: ServeOptions, out: (s: string) => void, stopSignal: Promise<string>): Promise<void> {
  if (!o.auth && o.host !== undefined && !isLoopbackHost(o.host)) {
    throw usageError(`--no-auth is only allowed on a loopback address; ${o.host} is reachable from other machines`);
  }
  const origin: Record<string, number> = {};
  if (o.syncWindow !== undefined) origin.syncWindowMs = o.syncWindow * 1000;
  if (o.retentionDays !== undefined) origin.resultRetentionMs = o.retentionDays * 24 * 3600 * 1000;
  const core = await SafekeepCore.open({
    dataDir: dataDirOf(o),
    authEnabled: o.auth,
    flagTokens: o.token ?? [],
    origin,
    ...(o.auditSyslog ? { audit: { syslog: syslogTarget(o.auditSyslog, o.auditSyslogCa) } } : {}),
  });
  let server: Awaited<ReturnType<typeof listenHttp>> | undefined;
  try {
    // Command-line flags win over the settings stored by the app.
    const stored = (await core.settings.get()).server;
    const host = o.host ?? stored.host;
    const port = o.port ?? stored.port;
    if (!o.auth && !isLoopbackHost(host)) {
      throw usageError(`--no-auth is only allowed on a loopback address; ${host} is reachable from other machines`);
    }
    const roots = [...new Set([...(o.library ?? []).map((l) => path.resolve(l)), ...(await core.library.roots()).map((r) => r.path)])];
    if (roots.length > 0) {
      const summary = await scanAndSummarise(core, roots, o.quiet ?? false);
      printScanSummary(summary, out);
    } else {
      out('The library is empty: add folders with --library DIR');
    }
    if (o.auth && !(await core.auth.hasAnyToken())) {
      const { secret } = await core.tokens.create('local', core.clock.now());
      out(`No token was configured, so one was created for client "local" (shown only now): ${secret}`);
      out(`  Clients send: Authorization: Bearer ${secret}`);
    }
    if (!o.auth) out('Authentication is off (--no-auth): any local process can use this server');
    // Flags apply to this run; the settings stored by the app stay as they are.
    if (o.policy) await core.usePolicy(await policyId(core, o.policy, '--policy'));
    if (o.dimsePolicy) await core.usePolicy(await policyId(core, o.dimsePolicy, '--dimse-policy'), 'dimse');
    const { resumed, resumedOutgoing } = await core.start();
    if (resumed > 0) out(`Resumed ${resumed} commitment request(s) left working by the previous run`);
    if (resumedOutgoing > 0) out(`Resumed ${resumedOutgoing} outgoing commitment request(s) left in flight`);
    const browser = { rendererDir: builtPaths.rendererDir, ...(o.maxUploadMb ? { maxUploadBytes: o.maxUploadMb * 1024 * 1024 } : {}) };
    server = await listenHttp(core.httpApp(browser, { allowedHosts: [host, ...(o.allowedHost ?? [])] }), host, port);
    await startListener(core, o, out);
    core.runtime.serverUrl = server.url;
    out(`Safekeep listening on ${server.url}`);
    out(`  DICOMweb commitment service: ${server.url}/dicomweb/commitment-requests/{transactionUID}`);
    if (o.auth) {
      const client = o.token?.[0]?.client ?? 'local';
      out(`  Open the app: ${server.url}/login?code=${core.sessions.oneTimeCode(client, 24 * 3600 * 1000)} (one-time link; or log in with a token)`);
    } else {
      out(`  Open the app: ${server.url}/`);
    }
    const signal = await stopSignal;
    out(`Received ${signal}, stopping`);
  } finally {
    await server?.close();
    await core.stop();
  }
}

/**
 * The DICOM listener runs whenever a DIMSE remote or peer needs it, on the stored AE title,
 * address and port; the flags override them for this run, and --dimse-port starts it anyway.
 */
async function startListener(core: Core, o: ServeOptions, out: (s: string) => void): Promise<void> {
  const forced = o.dimsePort !== undefined;
  const s = await core.dimseListener.enable({ overrides: { aeTitle: o.aeTitle, host: o.dimseHost, port: o.dimsePort, peers: o.peer }, force: forced });
  if (s.state === 'failed' && forced) throw usageError(`Cannot start the DICOM listener: ${s.detail}`);
  if (s.state !== 'listening') {
    out(s.state === 'failed' ? `DICOM listener not started: ${s.detail}` : `No DICOM listener: ${s.detail}`);
    return;
  }
  const peers = o.peer ?? (await core.settings.get()).dimse.peers;
  const archives = (await core.remotes.list()).flatMap((r) => (r.kind === 'dimse' ? [r] : []));
  out(
    `DICOM listener ${s.aeTitle} on ${s.host}:${s.port} (Storage Commitment SCP for ${peers.length} peer(s): ${peers.map((p) => `${p.aeTitle}@${p.host}:${p.port}`).join(', ') || 'none'}; reports from ${archives.length} DIMSE remote(s))`,
  );
  for (const a of archives) {
    const problem = listenerProblem(s, a.config.host);
    if (problem) out(`  remote "${a.name}": ${problem}`);
  }
}
