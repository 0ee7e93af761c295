import { openDb, type Db } from './db';
import { ContentRepo } from './content-repo';
import { IncomingRepo } from './incoming-repo';
import { LibraryRepo } from './library-repo';
import { LeaseRepo, NodeRepo } from './node-repo';
import { OutgoingRepo } from './outgoing-repo';
import type { Store } from './ports';
import { RemotesRepo } from './remotes-repo';
import { ReportRepo } from './report-repo';
import { ResendRepo } from './resend-repo';
import { SessionRepo } from './session-repo';
import { SettingsRepo } from './settings-repo';
import { TokenRepo } from './token-repo';
import { UnmatchedReportsRepo } from './unmatched-reports-repo';

/** The embedded store: every repository over one SQLite file in `dataDir` (created and migrated if needed). */
export type SqliteStore = Store & { readonly db: Db };

/** `node`: whose library this store's `library` is (the library is per node; library-node.ts). */
export function openSqliteStore(dataDir: string, node?: string): SqliteStore {
  const db = openDb(dataDir);
  try {
    return sqliteStoreOf(db, node);
  } catch (e) {
    db.close();
    throw e;
  }
}

/** The repositories over an open database (tests that prepare the file themselves). */
export function sqliteStoreOf(db: Db, node?: string): SqliteStore {
  return {
    db,
    library: new LibraryRepo(db, node),
    outgoing: new OutgoingRepo(db),
    unmatchedReports: new UnmatchedReportsRepo(db),
    reports: new ReportRepo(db),
    incoming: new IncomingRepo(db),
    remotes: new RemotesRepo(db),
    settings: new SettingsRepo(db),
    tokens: new TokenRepo(db),
    sessions: new SessionRepo(db),
    resend: new ResendRepo(db),
    content: new ContentRepo(db),
    nodes: new NodeRepo(db),
    leases: new LeaseRepo(db),
    changes: db.changes,
    close: async () => db.close(),
  };
}
