import { Command, CommanderError, Option } from 'commander';
import { toAppError } from '../../src-shared/contract/errors';
import { DATABASE_URL_ENV } from '../core/host/database-file';
import { importSqliteCommand } from './import-sqlite';
import type { HostPaths } from '../core/host/options';
import { CliError, EXIT } from './errors';
import { hostOpener } from './host';
import { collect, parseAeAddress, parseAeTitle, parseNamedToken, parsePort, parsePositiveInt, parsePositiveNumber } from './options';
import { remoteCommands } from './remote';
import { printScanSummary, scanAndSummarise } from './scan';
import { serveCommand } from './serve';
import { auditCommand } from './audit';
import { checkCommitFlags, commitCommand, finish, saveTarget, type CommitOptions } from './commit';
import { compareCommand } from './migration';
import { parseVerifyContent, verifyContentCommand } from './content';
import type { ContentSample } from '../../src-shared/content';
import type { ListenerFlags } from './unfinished';
import { follow } from './follow';
import type { Host } from '../core/host/host';
import { statusCommand } from './status';
import { reportCommand, type ReportOptions } from './report';
import { interruptSignal, listenForReports, runOptionsOf } from './unfinished';
import { DEFAULT_LOG_LEVEL, LOG_LEVELS } from '../core/log';
import { applyLogOptions } from './log-options';
import { redactUrls } from '../../src-shared/redact';
import { cancelCommand, resendCommand } from './requests';

// Every line printed goes through redactUrls: a password inside a URL (--to https://user:pw@...) is never shown.
const out = (line: string) => process.stdout.write(`${redactUrls(line)}\n`);
const err = (line: string) => process.stderr.write(`${redactUrls(line)}\n`);

function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const handler = (sig: NodeJS.Signals) => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      resolve(sig);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

/** The options of the commands that send requests and follow them (commit, resend). */
function followOptions(command: Command, reportOf: string): Command {
  return command
    .option('--wait', 'wait for every final answer (default)', true)
    .option('--no-wait', 'return once every request has been accepted; "safekeep resume" follows them later')
    .option('--report <file.csv>', `write the per-instance report of ${reportOf}`)
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress line');
}

/** The command line; `paths`: where the build put the renderer and the header worker (the entry point knows). */
export function buildProgram(paths: Partial<HostPaths> = {}): Command {
  const withHost = hostOpener(paths, () => (program.opts() as { database?: string }).database);
  /** A command that sends and follows requests: Ctrl-C stops its waiting; its result is the exit code. */
  const following = (o: ListenerFlags, run: (host: Host, signal: AbortSignal) => Promise<number>) =>
    withHost(
      o,
      async (host) => {
        const interrupt = interruptSignal();
        try {
          process.exitCode = await run(host, interrupt.signal);
        } finally {
          interrupt.dispose();
        }
      },
      runOptionsOf(o),
    );
  const program = new Command('safekeep')
    .description('Storage commitment for DICOM migrations: DICOMweb origin server, client engine and DIMSE bridge')
    .exitOverride()
    .showHelpAfterError('(run safekeep --help for usage)')
    .option('--log-level <level>', `diagnostics and library log (${LOG_LEVELS.join(', ')}; default ${DEFAULT_LOG_LEVEL}, or SAFEKEEP_LOG_LEVEL)`)
    .option('--log-file <file>', 'append the log to FILE instead of stderr')
    .option(
      '--database <url>',
      `the store: postgres://user:password@host:port/database, shared by several nodes (default: ${DATABASE_URL_ENV}, the data folder's database.json, else SQLite in the data folder)`,
    )
    .hook('preAction', () => applyLogOptions(program.opts()));

  program
    .command('serve')
    .description('scan the library and serve the DICOMweb commitment origin server')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .option('--library <dir>', 'a library folder to scan and serve (repeatable)', collect)
    .option('--host <host>', 'address to bind (default: the stored setting, 127.0.0.1)')
    .addOption(new Option('--port <port>', 'port to listen on, 0 = any free port (default: the stored setting, 8080)').argParser(parsePort))
    .option('--token <name=secret>', 'a bearer token for client NAME (repeatable)', (v: string, prev: { client: string; secret: string }[] = []) => [
      ...prev,
      parseNamedToken(v),
    ])
    .option('--no-auth', 'turn authentication off (loopback only)')
    .option('--audit-syslog <url>', 'also send the audit trail to a syslog collector: udp://host:514 or tls://host:6514 (RFC 5424)')
    .option('--audit-syslog-ca <file>', "the CA certificate of a tls:// syslog collector")
    .option('--allowed-host <name>', 'a host name clients may use in URLs besides loopback and --host, e.g. safekeep.example.org or *.example.org (repeatable)', collect)
    .addOption(new Option('--max-upload-mb <MB>', 'largest upload request of the browser app (default 2048)').argParser(parsePositiveInt('upload limit')))
    .addOption(new Option('--sync-window <seconds>', 'answer 200 when done within this time, else 202').argParser(parsePositiveNumber('sync window')))
    .addOption(new Option('--retention-days <days>', 'how long results are kept').argParser(parsePositiveNumber('retention')))
    .addOption(new Option('--lease-seconds <seconds>', "several nodes on one store: how long a node's claim on work holds without its heartbeat (default 30; the heartbeat runs every third of it)").argParser(parsePositiveNumber('lease')))
    .option('--quiet', 'no progress line')
    .addOption(new Option('--dimse-port <port>', 'start the DICOM listener (Storage Commitment SCP, reports from archives) on this port, even without DIMSE remote or peer (default: the stored setting, 11112)').argParser(parsePort))
    .addOption(new Option('--artim-seconds <seconds>', 'how long a DICOM connection may take to negotiate its association before it is closed (ARTIM, PS3.8 9.1.5; default 30)').argParser(parsePositiveInt('ARTIM')))
    .addOption(new Option('--max-associations <n>', 'DICOM associations open at once; the next is rejected as transient (default 50)').argParser(parsePositiveInt('association cap')))
    .option('--dimse-host <address>', 'address the DICOM listener binds (default: the stored setting, 127.0.0.1; 0.0.0.0 = every interface)')
    .addOption(new Option('--ae-title <aet>', "Safekeep's AE title (default: the stored setting, SAFEKEEP)").argParser(parseAeTitle))
    .option('--peer <aet@host:port>', 'a DIMSE SCU allowed to ask for commitment, and where its report goes (repeatable)', (v: string, prev: { aeTitle: string; host: string; port: number }[] = []) => [
      ...prev,
      parseAeAddress(v),
    ])
    .option('--policy <policy>', 'how the DICOMweb origin server decides: library, or forward:<remote name> (proxy)')
    .option('--dimse-policy <policy>', 'how the DIMSE SCP decides: library, or forward:<remote name> (proxy)')
    .option('--tls-cert <file>', "Safekeep's certificate (PEM): every listener speaks TLS only, HTTPS and DICOM TLS (default: the stored setting)")
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option('--tls-ca <file>', 'require client certificates signed by this CA (PEM), over HTTPS and DICOM TLS')
    .action(async (o) => {
      await serveCommand(withHost, o, out, stopSignal());
    });

  program
    .command('scan')
    .description('index DICOM files below the given folders and print a summary')
    .argument('<dir...>', 'folders or files to scan')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .option('--json', 'print the summary as JSON')
    .action(async (dirs: string[], o: { data?: string; json?: boolean }) => {
      await withHost(o, async (host) => {
        const summary = await scanAndSummarise(host, dirs, o.json ?? false);
        if (o.json) out(JSON.stringify(summary, null, 2));
        else printScanSummary(summary, out);
      });
    });

  followOptions(
    program
      .command('commit')
      .description('verify that an archive safely keeps the DICOM files below PATH (storage commitment)')
      .argument('<path...>', 'folders or files of the instances to verify')
      .requiredOption('--to <url>', 'the archive: http(s)://host:port/dicomweb (its DICOMweb service root) or dicom://AET@host:port')
      .option('--token <secret>', 'bearer token for the archive')
      .option('--basic <user:password>', 'basic authentication for the archive')
      .addOption(new Option('--per-request <n>', 'most instances per commitment request').argParser(parsePositiveInt('--per-request')))
      .option('--flat', 'send the flat form (Referenced SOP Sequence) instead of per-study requests')
      .option('--send-missing', 'then store what the archive lacks (failed 0112H or 0110H) and ask again, round after round')
      .addOption(new Option('--rounds <n>', 'rounds of --send-missing (default 3)').argParser(parsePositiveInt('--rounds')))
      .option('--stow-url <url>', 'STOW-RS base URL for --send-missing (default: the --to URL)')
      .option('--qido-url <url>', 'QIDO-RS base URL for compare (default: the --to URL)')
      .addOption(new Option('--storage-ae <aet>', 'the AE title C-STOREs of --send-missing go to (default: the --to AE title)').argParser(parseAeTitle))
      .addOption(
        new Option('--verify-content <all|PERCENT>', "then retrieve the archive's copy (C-GET or WADO-RS) of all committed instances, or a random share (at least one per series), and compare it with the local file").argParser(parseVerifyContent),
      ),
    'the verification (with --send-missing: the archive\'s verdicts)',
  )
    .addOption(new Option('--ae-title <aet>', "Safekeep's calling AE title toward a dicom:// archive (default: the stored setting, SAFEKEEP)").argParser(parseAeTitle))
    .addOption(new Option('--dimse-port <port>', "where Safekeep listens for the dicom:// archive's report (default: the stored setting, 11112)").argParser(parsePort))
    .option('--dimse-host <address>', "address Safekeep's DICOM listener binds (default: the stored setting, 127.0.0.1; 0.0.0.0 = every interface)")
    .addOption(reportTimeoutOption())
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .action(async (paths: string[], o: CommitOptions & { data?: string }) => {
      checkCommitFlags(o);
      await following(o, (host, signal) => commitCommand(host, paths, o, out, signal));
    });

  program
    .command('compare')
    .description("set each local study below PATH beside the archive's own listing (C-FIND or QIDO-RS) and the commitment verdicts")
    .argument('<path...>', 'folders or files of the local instances')
    .requiredOption('--to <url>', 'the archive: http(s)://host:port/dicomweb or dicom://AET@host:port (as given to commit)')
    .option('--token <secret>', 'bearer token for the archive')
    .option('--basic <user:password>', 'basic authentication for the archive')
    .option('--qido-url <url>', 'QIDO-RS base URL (default: the --to URL)')
    .option('--stow-url <url>', 'STOW-RS base URL kept for commit --send-missing (default: the --to URL)')
    .addOption(new Option('--storage-ae <aet>', 'storage AE title kept for commit --send-missing').argParser(parseAeTitle))
    .addOption(new Option('--ae-title <aet>', "Safekeep's calling AE title toward a dicom:// archive (default: the stored setting, SAFEKEEP)").argParser(parseAeTitle))
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress line')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .action(async (paths: string[], o: CommitOptions & { data?: string }) => {
      await withHost(o, async (host) => {
        process.exitCode = await compareCommand(host, (await saveTarget(host, { ...o, wait: true })).id, paths, o, out, err);
      });
    });

  program
    .command('verify-content')
    .description("retrieve the archive's copy (C-GET or WADO-RS) of the committed instances below PATH, all or a random share, and compare it with the local files")
    .argument('<path...>', 'folders or files of the local instances')
    .requiredOption('--to <url>', 'the archive: http(s)://host:port/dicomweb or dicom://AET@host:port (as given to commit)')
    .addOption(new Option('--sample <all|PERCENT>', 'all committed instances, or a random share in percent, at least one per series').default('all').argParser(parseVerifyContent))
    .option('--token <secret>', 'bearer token for the archive')
    .option('--basic <user:password>', 'basic authentication for the archive')
    .option('--qido-url <url>', 'QIDO-RS/WADO-RS base URL (default: the --to URL)')
    .addOption(new Option('--ae-title <aet>', "Safekeep's calling AE title toward a dicom:// archive (default: the stored setting, SAFEKEEP)").argParser(parseAeTitle))
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress line')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .action(async (paths: string[], o: CommitOptions & { data?: string; sample: ContentSample }) => {
      await following(o, async (host, signal) => verifyContentCommand(host, (await saveTarget(host, { ...o, wait: true })).id, paths, o, out, signal));
    });

  program
    .command('resume')
    .description('carry on with every outgoing request left in flight, until each has its final answer')
    .option('--report <file.csv>', 'write the per-instance report of the resumed requests')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress line')
    .addOption(new Option('--dimse-port <port>', "where Safekeep listens for DIMSE archives' reports (default: the stored setting, 11112)").argParser(parsePort))
    .option('--dimse-host <address>', "address Safekeep's DICOM listener binds (default: the stored setting, 127.0.0.1)")
    .addOption(reportTimeoutOption())
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .action(async (o: ListenerFlags & { report?: string; json?: boolean; quiet?: boolean }) => {
      await withHost(o, (host) => resumeCommand(host, o), runOptionsOf(o));
    });

  program
    .command('audit')
    .description('print the audit trail (DICOM Audit Messages: logins, commitment requests, tokens, remotes, settings, exports, start and stop)')
    .option('--since <time>', 'only events from this date/time on (2026-12-01T08:00Z), or this long ago (30m, 12h, 7d)')
    .option('--json', 'print as JSON')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .action((o: { since?: string; json?: boolean; data?: string }) => auditCommand(o, out));

  program
    .command('status')
    .description('list outgoing commitment requests (the latest 200, or every request of a job), or show one with its per-instance outcomes')
    .argument('[transactionUid]', 'the Transaction UID of one request')
    .addOption(new Option('--job <id>', 'only the requests of this job (one commit)').argParser(parsePositiveInt('--job')))
    .option('--json', 'print as JSON')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .action(async (uid: string | undefined, o: { job?: number; json?: boolean; data?: string }) => {
      await withHost(o, async (host) => {
        process.exitCode = await statusCommand(host, { uid, job: o.job, json: o.json ?? false }, out);
      });
    });

  followOptions(
    program
      .command('resend')
      .description('send finished requests again as new transactions (whole, or only the instances not committed), then follow them like commit')
      .argument('[transactionUid]', 'the Transaction UID of one request')
      .addOption(new Option('--job <id>', 'every finished request of this job').argParser(parsePositiveInt('--job')))
      .option('--failed-only', 'only the instances not committed, as new requests (like the app\'s "Resend N not committed")'),
    'the resent requests',
  )
    .addOption(new Option('--dimse-port <port>', "where Safekeep listens for a DIMSE archive's report (default: the stored setting, 11112)").argParser(parsePort))
    .option('--dimse-host <address>', "address Safekeep's DICOM listener binds (default: the stored setting, 127.0.0.1)")
    .addOption(reportTimeoutOption())
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .action(async (uid: string | undefined, o: Parameters<typeof resendCommand>[2] & { data?: string }) => {
      await following(o, (host, signal) => resendCommand(host, uid, o, out, signal));
    });

  program
    .command('cancel')
    .description('stop following requests in flight (no more polling); instances not decided stay not verified')
    .argument('[transactionUid]', 'the Transaction UID of one request')
    .addOption(new Option('--job <id>', 'every request of this job still in flight').argParser(parsePositiveInt('--job')))
    .option('--json', 'print the result as JSON')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .action(async (uid: string | undefined, o: { job?: number; json?: boolean; data?: string }) => {
      await withHost(o, async (host) => {
        process.exitCode = await cancelCommand(host, uid, o, out);
      });
    });

  program
    .command('report')
    .description('write the verification report (CSV): the verdicts, one row per instance and archive; or the rows of a job or request')
    .option('--out <file>', 'where to write it (default: stdout, and nothing else there)')
    .option('--remote <archive>', 'only this archive: a remote name, a DICOMweb base URL or dicom://AET@host:port')
    .addOption(new Option('--job <id>', 'instead: the rows of the requests of this job (one commit), as sent').argParser(parsePositiveInt('--job')))
    .option('--transaction <uid>', 'instead: the rows of this request, as sent')
    .option('--safe-to-delete', 'instead: the files the archive committed and that are unchanged since, one path per line')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .action(async (o: ReportOptions & { data?: string }) => {
      await withHost(o, (host) => reportCommand(host, o, out, err));
    });

  program
    .command('import-sqlite')
    .description("copy the data folder's SQLite store (jobs, verdicts, library, remotes, settings) into an empty PostgreSQL database, to move this workstation to a shared one")
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { data?: string; json?: boolean }) => {
      await importSqliteCommand(o, (program.opts() as { database?: string }).database, out);
    });

  remoteCommands(program, withHost, out);

  return program;
}

function reportTimeoutOption(): Option {
  return new Option(
    '--report-timeout <seconds>',
    "stop waiting (exit 3) when a DIMSE archive's report has not come this long after it accepted the request; the request keeps waiting for resume (default: the stored setting, 600)",
  ).argParser(parsePositiveNumber('--report-timeout'));
}

/**
 * `safekeep resume`: carries on with every outgoing request in flight until each has its final answer. It
 * starts the outgoing engine (and the listener when a DIMSE request waits), not incoming work or retention.
 */
async function resumeCommand(host: Host, o: ListenerFlags & { report?: string; json?: boolean; quiet?: boolean }): Promise<void> {
  const active = await host.call('outgoing-active', {});
  const ids = active.map((r) => r.id);
  if (ids.length === 0) {
    if (o.json) process.exitCode = await finish(host, [], { ...o, wait: true }, out);
    else out('Nothing to resume: no outgoing request is in flight');
    return;
  }
  // DIMSE archives send their reports to the listener: it runs before anything is sent again.
  const dimseRemotes = new Set((await host.call('remotes-list', {})).flatMap((r) => (r.kind === 'dimse' ? [r.id] : [])));
  if (active.some((r) => dimseRemotes.has(r.remoteId))) await listenForReports(host, o);
  await host.start({ outgoing: 'all' });
  if (!o.json) out(`Resuming ${ids.length} request(s)`);
  const interrupt = interruptSignal();
  try {
    const outcome = await follow(host, ids, o.quiet ?? false, 'answered', interrupt.signal);
    process.exitCode = await finish(host, ids, { ...o, wait: true, interrupted: outcome === 'interrupted' }, out);
  } finally {
    interrupt.dispose();
  }
}

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(argv: string[], paths: Partial<HostPaths> = {}): Promise<number> {
  const program = buildProgram(paths);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof CliError) {
      err(`safekeep: ${e.message}`);
      return e.exitCode;
    }
    const error = toAppError(e);
    err(`safekeep: ${error.message}${error.detail ? ` (${error.detail})` : ''}`);
    if (error.code === 'internal' && e instanceof Error && e.stack) err(e.stack);
    return error.code === 'internal' ? EXIT.internal : EXIT.usage;
  }
}
