import path from 'node:path';
import { Command, Option } from 'commander';
import type { RemoteInput } from '../../src-shared/remotes';
import type { Host } from '../core/host/host';
import { CliError, EXIT, usageError } from './errors';
import type { WithHost } from './host';
import { parseAeAddress, parseAeTitle, parsePositiveInt } from './options';

/** `safekeep remote add|list|remove|test`: the named archives used by the app, proxies and scripts. Nothing is started but, for a DIMSE Test, the listener. */
export function remoteCommands(program: Command, withHost: WithHost, out: (s: string) => void): void {
  const remote = program.command('remote').description('manage remote archives (DICOMweb and DIMSE)');

  remote
    .command('add')
    .description('add or update a remote archive')
    .argument('<name>', 'a name for it')
    .option('--url <url>', 'a DICOMweb archive: its service root, http(s)://host:port/dicomweb')
    .option('--token <secret>', 'bearer token (DICOMweb)')
    .option('--basic <user:password>', 'basic authentication (DICOMweb)')
    .option('--dicom <aet@host:port>', 'a DIMSE archive')
    .addOption(new Option('--ae-title <aet>', "Safekeep's calling AE title toward a DIMSE archive (default SAFEKEEP)").argParser(parseAeTitle))
    .addOption(new Option('--per-request <n>', 'most instances per request').argParser(parsePositiveInt('--per-request')))
    .option('--stow-url <url>', 'STOW-RS base URL for send-missing (DICOMweb; default: --url)')
    .option('--qido-url <url>', 'QIDO-RS and WADO-RS base URL for compare and verify-content (DICOMweb; default: --url)')
    .addOption(new Option('--storage-ae <aet>', 'the AE title C-STOREs of send-missing go to (DIMSE; default: the --dicom AE)').argParser(parseAeTitle))
    .option('--ca <file>', "the archive's CA certificate (PEM); for --dicom it turns DICOM TLS on")
    .option('--cert <file>', "Safekeep's client certificate (PEM) for an archive that asks for one")
    .option('--key <file>', 'the private key of --cert (PEM)')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .action(async (name: string, o: { url?: string; token?: string; basic?: string; dicom?: string; aeTitle?: string; perRequest?: number; stowUrl?: string; qidoUrl?: string; storageAe?: string; ca?: string; cert?: string; key?: string; data?: string }) => {
      if (!o.url === !o.dicom) throw usageError('Give either --url (DICOMweb) or --dicom AET@HOST:PORT (DIMSE)');
      if (o.url && o.storageAe) throw usageError('--storage-ae is for a --dicom archive');
      if (o.dicom && (o.stowUrl || o.qidoUrl)) throw usageError('--stow-url and --qido-url are for a --url (DICOMweb) archive');
      const file = (f: string | undefined) => (f ? path.resolve(f) : null);
      const tlsFiles = { caFile: file(o.ca), certFile: file(o.cert), keyFile: file(o.key) };
      if (o.dicom && !o.ca && (o.cert || o.key)) throw usageError('DICOM TLS needs the archive\'s CA: give --ca with --cert and --key');
      let input: RemoteInput;
      if (o.url) {
        if (o.token && o.basic) throw usageError('Use either --token or --basic, not both');
        const basic = o.basic ? /^([^:]+):(.*)$/.exec(o.basic) : null;
        if (o.basic && !basic) throw usageError('--basic takes USER:PASSWORD');
        input = {
          kind: 'dicomweb',
          name,
          config: {
            baseUrl: o.url,
            auth: o.token ? 'bearer' : basic ? 'basic' : 'none',
            ...(basic ? { username: basic[1]! } : {}),
            ...(o.perRequest ? { maxInstancesPerRequest: o.perRequest } : {}),
            ...(o.stowUrl ? { stowBaseUrl: o.stowUrl } : {}),
            ...(o.qidoUrl ? { qidoBaseUrl: o.qidoUrl } : {}),
            ...tlsFiles,
          },
          secret: o.token ?? basic?.[2] ?? null,
        };
      } else {
        const a = parseAeAddress(o.dicom!, '--dicom');
        const tls = tlsFiles.caFile ? { tls: { ...tlsFiles, caFile: tlsFiles.caFile } } : {};
        input = {
          kind: 'dimse',
          name,
          config: { ...a, callingAeTitle: o.aeTitle ?? 'SAFEKEEP', ...(o.perRequest ? { maxInstancesPerRequest: o.perRequest } : {}), ...(o.storageAe ? { storageAeTitle: o.storageAe } : {}), ...tls },
        };
      }
      await withHost(o, async (host) => {
        const existing = await host.call('remotes-find', { name });
        const v = await host.call('remotes-save', { input, ...(existing ? { id: existing.id } : {}) });
        out(`${existing ? 'Updated' : 'Added'} remote "${v.name}" (id ${v.id}, ${v.kind})`);
      });
    });

  remote
    .command('list')
    .description('list remote archives (secrets are never shown)')
    .option('--json', 'print as JSON')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .action(async (o: { json?: boolean; data?: string }) => {
      await withHost(o, async (host) => {
        const list = await host.call('remotes-list', {});
        if (o.json) return out(JSON.stringify(list, null, 2));
        if (list.length === 0) out('No remote yet: add one with "safekeep remote add NAME --url ... | --dicom AET@HOST:PORT"');
        for (const r of list) {
          const tested = r.lastTest ? `  last Test ${r.lastTest.ok ? 'OK' : 'FAILED'} ${new Date(r.lastTest.at).toISOString().replace('T', ' ').slice(0, 16)}` : '';
          out(
            (r.kind === 'dicomweb'
              ? `${r.id}  ${r.name}  DICOMweb ${r.config.baseUrl}  auth ${r.config.auth}${r.hasSecret ? ' (secret set)' : ''}${r.config.insecureSkipVerify ? '  UNSAFE: certificates not verified' : ''}`
              : `${r.id}  ${r.name}  DIMSE ${r.config.aeTitle}@${r.config.host}:${r.config.port}  as ${r.config.callingAeTitle}${r.config.tls ? '  DICOM TLS' : ''}`) + tested,
          );
        }
      });
    });

  remote
    .command('remove')
    .description('remove a remote archive')
    .argument('<name>')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .action(async (name: string, o: { data?: string }) => {
      await withHost(o, async (host) => {
        await host.call('remotes-delete', { id: (await remoteNamed(host, name)).id });
        out(`Removed remote "${name}"`);
      });
    });

  remote
    .command('test')
    .description('prove that a remote archive answers and accepts Safekeep (DIMSE: C-ECHO and a storage commitment round trip; DICOMweb: a Result Check)')
    .argument('<name>')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .action(async (name: string, o: { data?: string }) => {
      await withHost(o, async (host) => {
        const r = await remoteNamed(host, name);
        // A DIMSE Test needs the listener: the archive's report must come back to it.
        if (r.kind === 'dimse') await host.start({ dimse: { force: true } });
        const t = await host.call('remotes-test', { id: r.id });
        out(`${t.ok ? 'OK' : 'FAILED'} (${t.elapsedMs} ms): ${t.message}`);
        if (!t.ok) throw new CliError(EXIT.usage, `Remote "${name}" did not pass the test`);
      });
    });
}

async function remoteNamed(host: Host, name: string) {
  const r = await host.call('remotes-find', { name });
  if (!r) throw usageError(`No remote named "${name}"`);
  return r;
}
