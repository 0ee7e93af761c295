import fs from 'node:fs';
import path from 'node:path';
import type { SyslogTarget } from '../core/audit/syslog';
import { listenerProblem } from '../../src-shared/dimse';
import { isLoopbackHost } from '../../src-shared/net';
import type { ServerTlsFiles } from '../../src-shared/tls';
import { ALL_WORK, type Host } from '../core/host/host';
import { usageError } from './errors';
import type { WithHost } from './host';
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
  leaseSeconds?: number;
  quiet?: boolean;
  dimsePort?: number;
  dimseHost?: string;
  artimSeconds?: number;
  maxAssociations?: number;
  aeTitle?: string;
  peer?: { aeTitle: string; host: string; port: number }[];
  policy?: string;
  dimsePolicy?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
}

/** --artim-seconds and --max-associations; undefined when neither is given (the defaults of pdu-guard.ts apply). */
function listenerLimits(o: ServeOptions): { artimMs?: number; maxAssociations?: number } | undefined {
  if (o.artimSeconds === undefined && o.maxAssociations === undefined) return undefined;
  return {
    ...(o.artimSeconds !== undefined ? { artimMs: Math.round(o.artimSeconds * 1000) } : {}),
    ...(o.maxAssociations !== undefined ? { maxAssociations: o.maxAssociations } : {}),
  };
}

/** --tls-cert and --tls-key go together; --tls-ca only with them. Undefined: the stored setting applies. */
function tlsFlags(o: ServeOptions): ServerTlsFiles | undefined {
  if (o.tlsCert === undefined && o.tlsKey === undefined && o.tlsCa === undefined) return undefined;
  if (!o.tlsCert || !o.tlsKey) throw usageError('--tls-cert and --tls-key go together (and --tls-ca needs them)');
  return { certFile: path.resolve(o.tlsCert), keyFile: path.resolve(o.tlsKey), caFile: o.tlsCa ? path.resolve(o.tlsCa) : null };
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
export async function policyId(host: Host, value: string, flag: string): Promise<string> {
  if (value === 'library') return value;
  const m = /^forward:(.+)$/.exec(value);
  const remote = m ? await host.call('remotes-find', { name: m[1]! }) : null;
  if (!remote) {
    const names = (await host.call('remotes-list', {})).map((r) => r.name);
    throw usageError(`Invalid ${flag} "${value}": use library or forward:<remote name>${names.length ? ` (remotes: ${names.join(', ')})` : ' (add one with "safekeep remote add")'}`);
  }
  return `forward:${remote.id}`;
}

/**
 * `safekeep serve`: scan the library, then serve the origin server until SIGINT/SIGTERM; it starts every
 * part (both directions, retention, the app in browser mode, the DICOM listener whenever needed).
 * Returns when stopped.
 */
export async function serveCommand(withHost: WithHost, o: ServeOptions, out: (s: string) => void, stopSignal: Promise<string>): Promise<void> {
  if (!o.auth && o.host !== undefined && !isLoopbackHost(o.host)) {
    throw usageError(`--no-auth is only allowed on a loopback address; ${o.host} is reachable from other machines`);
  }
  const origin: Record<string, number> = {};
  if (o.syncWindow !== undefined) origin.syncWindowMs = o.syncWindow * 1000;
  if (o.retentionDays !== undefined) origin.resultRetentionMs = o.retentionDays * 24 * 3600 * 1000;
  // A lease of no time would let two nodes hold the same work.
  if (o.leaseSeconds !== undefined && o.leaseSeconds <= 0) throw usageError(`Invalid --lease-seconds "${o.leaseSeconds}": use a number above 0 (default 30)`);
  const tls = tlsFlags(o);
  await withHost(o, (host) => serve(host, o, out, stopSignal), {
    authEnabled: o.auth,
    flagTokens: o.token ?? [],
    origin,
    ...(o.auditSyslog ? { audit: { syslog: syslogTarget(o.auditSyslog, o.auditSyslogCa) } } : {}),
    ...(tls ? { tls } : {}),
    ...(o.leaseSeconds !== undefined ? { node: { leaseMs: Math.round(o.leaseSeconds * 1000) } } : {}),
  });
}

async function serve(host: Host, o: ServeOptions, out: (s: string) => void, stopSignal: Promise<string>): Promise<void> {
  // Command-line flags win over the settings stored by the app.
  const settings = await host.call('settings-get', {});
  const addr = { host: o.host ?? settings.server.host, port: o.port ?? settings.server.port };
  if (!o.auth && !isLoopbackHost(addr.host)) {
    throw usageError(`--no-auth is only allowed on a loopback address; ${addr.host} is reachable from other machines`);
  }
  const roots = [...new Set([...(o.library ?? []).map((l) => path.resolve(l)), ...(await host.call('library-summary', {})).roots.map((r) => r.path)])];
  if (roots.length > 0) {
    const summary = await scanAndSummarise(host, roots, o.quiet ?? false);
    printScanSummary(summary, out);
  } else {
    out('The library is empty: add folders with --library DIR');
  }
  if (o.auth && !(o.token?.length || (await host.call('tokens-list', {})).some((t) => t.revokedAt === null))) {
    const { secret } = await host.call('tokens-create', { client: 'local' });
    out(`No token was configured, so one was created for client "local" (shown only now): ${secret}`);
    out(`  Clients send: Authorization: Bearer ${secret}`);
  }
  if (!o.auth) out('Authentication is off (--no-auth): any local process can use this server');
  // Flags apply to this run; the settings stored by the app stay as they are.
  const policies = {
    ...(o.policy ? { dicomweb: await policyId(host, o.policy, '--policy') } : {}),
    ...(o.dimsePolicy ? { dimse: await policyId(host, o.dimsePolicy, '--dimse-policy') } : {}),
  };
  const { resumedIncoming, resumedOutgoing } = await host.start({ ...ALL_WORK, policies });
  if (resumedIncoming > 0) out(`Resumed ${resumedIncoming} commitment request(s) left working by the previous run`);
  if (resumedOutgoing > 0) out(`Resumed ${resumedOutgoing} outgoing commitment request(s) left in flight`);
  const http = { ...addr, browser: true, allowedHosts: o.allowedHost ?? [], ...(o.maxUploadMb ? { maxUploadBytes: o.maxUploadMb * 1024 * 1024 } : {}) };
  const server = (await host.start({ http })).server!;
  await startListener(host, o, out);
  // Read before the first line that names the URL: whoever waits for that line reads the lines under it at once.
  const { inUse: tls } = (await host.call('settings-get', {})).tls;
  out(`Safekeep listening on ${server.url}`);
  if (tls) out(`  TLS only (TLS 1.2 or later, BCP 195 suites) with ${tls.certFile}${tls.caFile ? `; client certificates signed by ${tls.caFile} required` : ''}`);
  out(`  DICOMweb commitment service: ${server.url}/dicomweb/commitment-requests/{transactionUID}`);
  if (o.auth) {
    const client = o.token?.[0]?.client ?? 'local';
    out(`  Open the app: ${server.url}/login?code=${host.loginCode(client, 24 * 3600 * 1000)} (one-time link; or log in with a token)`);
  } else {
    out(`  Open the app: ${server.url}/`);
  }
  const signal = await stopSignal;
  out(`Received ${signal}, stopping`);
}

/**
 * The DICOM listener runs whenever a DIMSE remote or peer needs it, on the stored AE title,
 * address and port; the flags override them for this run, and --dimse-port starts it anyway.
 */
async function startListener(host: Host, o: ServeOptions, out: (s: string) => void): Promise<void> {
  const forced = o.dimsePort !== undefined;
  const s = (await host.start({ dimse: { overrides: { aeTitle: o.aeTitle, host: o.dimseHost, port: o.dimsePort, peers: o.peer, limits: listenerLimits(o) }, force: forced } })).dimse!;
  if (s.state === 'failed' && forced) throw usageError(`Cannot start the DICOM listener: ${s.detail}`);
  if (s.state !== 'listening') {
    out(s.state === 'failed' ? `DICOM listener not started: ${s.detail}` : `No DICOM listener: ${s.detail}`);
    return;
  }
  const peers = o.peer ?? (await host.call('settings-get', {})).dimse.peers;
  const archives = (await host.call('remotes-list', {})).flatMap((r) => (r.kind === 'dimse' ? [r] : []));
  out(
    `DICOM listener ${s.aeTitle} on ${s.host}:${s.port}${host.core.listenerTls() ? ', DICOM TLS only' : ''} (Storage Commitment SCP for ${peers.length} peer(s): ${peers.map((p) => `${p.aeTitle}@${p.host}:${p.port}`).join(', ') || 'none'}; reports from ${archives.length} DIMSE remote(s))`,
  );
  for (const a of archives) {
    const problem = listenerProblem(s, a.config.host);
    if (problem) out(`  remote "${a.name}": ${problem}`);
  }
}
