import { AppError } from '../../../src-shared/contract/errors';
import { ArgSchemas, type HandlerName, type ParsedArgsOf } from '../../../src-shared/contract/schemas';

/** Validates a handler's arguments at a bridge; the error names the field and why. */
export function validateArgs<K extends HandlerName>(name: K, raw: unknown): ParsedArgsOf<K> {
  const schema = ArgSchemas[name];
  if (!schema) throw new AppError('not-found', `No API call "${String(name)}"`);
  const r = schema.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'arguments';
    throw new AppError('bad-request', `Invalid arguments for ${String(name)}: ${where}: ${issue.message}`);
  }
  return r.data as ParsedArgsOf<K>;
}
