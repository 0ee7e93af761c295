import type { RemoteView } from '../../../../src-shared/remotes';

/** A remote with its secret, for the engine only: never sent to a renderer, never logged. */
export type RemoteWithSecret = RemoteView & { secret: string | null };
