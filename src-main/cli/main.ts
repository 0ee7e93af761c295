import { Command, CommanderError, Option } from 'commander';
import { toAppError } from '../../src-shared/contract/errors';
import { SafekeepCore } from '../core/app';
import { CliError, EXIT } from './errors';
import { collect, dataDirOf, parseNamedToken, parsePort, parsePositiveNumber } from './options';
import { printScanSummary, scanAndSummarise } from './scan';
import { serveCommand } from './serve';

const out = (line: string) => process.stdout.write(`${line}\n`);

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

export function buildProgram(): Command {
  const program = new Command('safekeep')
    .description('Storage commitment for DICOM migrations: DICOMweb origin server, client engine and DIMSE bridge')
    .exitOverride()
    .showHelpAfterError('(run safekeep --help for usage)');

  program
    .command('serve')
    .description('scan the library and serve the DICOMweb commitment origin server')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .option('--library <dir>', 'a library folder to scan and serve (repeatable)', collect)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .addOption(new Option('--port <port>', 'port to listen on (0 = any free port)').default(8080).argParser(parsePort))
    .option('--token <name=secret>', 'a bearer token for client NAME (repeatable)', (v: string, prev: { client: string; secret: string }[] = []) => [
      ...prev,
      parseNamedToken(v),
    ])
    .option('--no-auth', 'turn authentication off (loopback only)')
    .addOption(new Option('--sync-window <seconds>', 'answer 200 when done within this time, else 202').argParser(parsePositiveNumber('sync window')))
    .addOption(new Option('--retention-days <days>', 'how long results are kept').argParser(parsePositiveNumber('retention')))
    .option('--quiet', 'no progress line')
    .action(async (o) => {
      await serveCommand(o, out, stopSignal());
    });

  program
    .command('scan')
    .description('index DICOM files below the given folders and print a summary')
    .argument('<dir...>', 'folders or files to scan')
    .option('--data <dir>', 'data folder (default: the per-user app data folder)')
    .option('--json', 'print the summary as JSON')
    .action(async (dirs: string[], o: { data?: string; json?: boolean }) => {
      const core = new SafekeepCore({ dataDir: dataDirOf(o) });
      try {
        const summary = await scanAndSummarise(core, dirs, o.json ?? false);
        if (o.json) out(JSON.stringify(summary, null, 2));
        else printScanSummary(summary, out);
      } finally {
        await core.stop();
      }
    });

  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof CliError) {
      process.stderr.write(`safekeep: ${e.message}\n`);
      return e.exitCode;
    }
    const err = toAppError(e);
    process.stderr.write(`safekeep: ${err.message}${err.detail ? ` (${err.detail})` : ''}\n`);
    if (err.code === 'internal' && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return err.code === 'internal' ? EXIT.internal : EXIT.usage;
  }
}
