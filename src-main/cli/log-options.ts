import { configureLog, isLogLevel, LOG_LEVELS } from '../core/log';
import { usageError } from './errors';

/** `--log-level` (or SAFEKEEP_LOG_LEVEL) and `--log-file`, applied before any command runs. */
export function applyLogOptions(o: { logLevel?: string; logFile?: string }, env: NodeJS.ProcessEnv = process.env): void {
  const level = o.logLevel ?? (env.SAFEKEEP_LOG_LEVEL || undefined);
  if (level !== undefined && !isLogLevel(level)) {
    const from = o.logLevel !== undefined ? '--log-level' : 'SAFEKEEP_LOG_LEVEL';
    throw usageError(`Invalid ${from} "${level}": use one of ${LOG_LEVELS.join(', ')}`);
  }
  try {
    configureLog({ ...(level ? { level } : {}), ...(o.logFile ? { file: o.logFile } : {}) });
  } catch (e) {
    throw usageError(`Cannot open the log file ${o.logFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
