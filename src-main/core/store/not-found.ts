import { AppError } from '../../../src-shared/contract/errors';

/** What a store port looks up by its key. */
export type StoredEntity = 'remote' | 'outgoing request';

/**
 * A row asked for by its key is not there (a remote deleted meanwhile, an unknown request): the one error the
 * services may take as "it is gone". Every store backend throws it from the ports that say so; any other
 * error (the database is locked, the disk is full) stays an error.
 */
export class NotFoundError extends AppError {
  constructor(
    readonly entity: StoredEntity,
    readonly key: number | string,
    message: string,
  ) {
    super('not-found', message);
    this.name = 'NotFoundError';
  }
}

export function isNotFound(e: unknown, entity: StoredEntity): e is NotFoundError {
  return e instanceof NotFoundError && e.entity === entity;
}
