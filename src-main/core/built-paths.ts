/**
 * Where the build put the files a host needs at run time (the renderer, worker
 * scripts). Set by the entry points, which know their own location in out/.
 */
export const builtPaths: { rendererDir: string | null } = { rendererDir: null };
