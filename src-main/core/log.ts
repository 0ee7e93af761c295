import fs from 'node:fs';
import { format } from 'node:util';
import { redactUrls } from '../../src-shared/redact';

/**
 * The one log of the process: the core's own diagnostics and the libraries' loggers
 * (dcmjs-dimse, dcmjs) all end here. It never writes to stdout, which belongs to the
 * command's output (`--json` prints exactly one document there): lines go to stderr,
 * or to a file, at or above the chosen level.
 */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Warnings and errors only: a normal run shows none of dcmjs-dimse's PDU chatter (logged at info). */
export const DEFAULT_LOG_LEVEL: LogLevel = 'warn';

const RANK: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, silent: 5 };

// The app reads SAFEKEEP_LOG_LEVEL here; the CLI validates it (and --log-level) before a command runs.
const fromEnv = process.env.SAFEKEEP_LOG_LEVEL;
let threshold = RANK[fromEnv && isLogLevel(fromEnv) ? fromEnv : DEFAULT_LOG_LEVEL];
let write: (line: string) => void = (line) => process.stderr.write(line);
let fileFd: number | null = null;

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Sets the level, and a file to append the lines to instead of stderr. */
export function configureLog(o: { level?: LogLevel; file?: string }): void {
  if (o.level) threshold = RANK[o.level];
  if (o.file) {
    const fd = fs.openSync(o.file, 'a');
    if (fileFd !== null) fs.closeSync(fileFd);
    fileFd = fd;
    // Synchronous: a line written just before the process exits is not lost.
    write = (line) => fs.writeSync(fd, line);
  }
}

/** One line: time, level, source, message (arguments formatted like console.log). */
export function logLine(level: Exclude<LogLevel, 'silent'>, source: string, args: readonly unknown[]): void {
  if (RANK[level] < threshold) return;
  // A password inside a URL is never written to the log.
  write(`${new Date().toISOString()} ${level.toUpperCase()} [${source}] ${redactUrls(format(...args))}\n`);
}

/** A named logger for one part of the core (`log('engine').error(...)`). */
export function log(source: string) {
  return {
    error: (...args: unknown[]) => logLine('error', source, args),
    warn: (...args: unknown[]) => logLine('warn', source, args),
    info: (...args: unknown[]) => logLine('info', source, args),
    debug: (...args: unknown[]) => logLine('debug', source, args),
  };
}
