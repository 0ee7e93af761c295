import type { Store } from '../ports';
import { PgDb, type PgDbOptions } from './db';
import { PgIncomingRepo } from './incoming';
import { PgLibraryRepo } from './library';
import { migratePg } from './migrate';
import { PgLeaseRepo, PgNodeRepo } from './nodes';
import { PgOutgoingRepo } from './outgoing';
import { PgRemotesRepo } from './remotes';
import { PgReportRepo } from './reports';
import { PgResendRepo } from './resend';
import { PgContentRepo } from './content';
import { PgSessionRepo } from './sessions';
import { PgSettingsRepo } from './settings';
import { PgTokenRepo } from './tokens';
import { PgUnmatchedReportsRepo } from './unmatched-reports';

/** The shared store: every repository over one PostgreSQL database (several Safekeep nodes may open it at once). */
export type PgStore = Store & { readonly db: PgDb };

/**
 * Connects to `url` and brings its schema up to date (once, whichever node comes first). `node`: whose library
 * the store's `library` is (the library is per node; store/library-node.ts).
 */
export async function openPgStore(url: string, o: PgDbOptions & { node?: string | undefined } = {}): Promise<PgStore> {
  const db = new PgDb(url, o);
  let store: ReturnType<typeof pgStoreOf>;
  try {
    await db.probe();
    await migratePg(db);
    store = pgStoreOf(db, o.node);
    await store.library.adopt();
  } catch (e) {
    await db.close();
    throw e;
  }
  return store;
}

export function pgStoreOf(db: PgDb, node?: string): PgStore & { library: PgLibraryRepo } {
  return {
    db,
    library: new PgLibraryRepo(db, node),
    outgoing: new PgOutgoingRepo(db),
    unmatchedReports: new PgUnmatchedReportsRepo(db),
    reports: new PgReportRepo(db),
    incoming: new PgIncomingRepo(db),
    remotes: new PgRemotesRepo(db),
    settings: new PgSettingsRepo(db),
    tokens: new PgTokenRepo(db),
    sessions: new PgSessionRepo(db),
    resend: new PgResendRepo(db),
    content: new PgContentRepo(db),
    nodes: new PgNodeRepo(db),
    leases: new PgLeaseRepo(db),
    changes: db.changes,
    close: () => db.close(),
  };
}
