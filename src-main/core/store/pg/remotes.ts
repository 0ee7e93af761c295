import { AppError } from '../../../../src-shared/contract/errors';
import type { RemoteInput, RemoteLastTest, RemoteView } from '../../../../src-shared/remotes';
import { NotFoundError } from '../not-found';
import type { RemotesStore } from '../ports';
import { parseRemoteInput, REMOTE_COLUMNS, toView, type RemoteRow } from '../remotes-repo';
import type { RemoteWithSecret } from '../../remotes/model/remote';
import { isUniqueViolation } from './errors';
import type { PgDb, PgTx } from './db';

type Reader = Pick<PgTx, 'row'>;

/** Named remote archives (DICOMweb origin servers, DIMSE SCPs), in PostgreSQL. */
export class PgRemotesRepo implements RemotesStore {
  constructor(private readonly db: PgDb) {}

  async list(): Promise<RemoteView[]> {
    return (await this.db.rows<RemoteRow>(`SELECT ${REMOTE_COLUMNS} FROM remotes ORDER BY name`)).map(toView);
  }

  async get(id: number): Promise<RemoteView> {
    return toView(await rowOf(this.db, id));
  }

  async withSecret(id: number): Promise<RemoteWithSecret> {
    const row = await rowOf(this.db, id);
    return { ...toView(row), secret: row.secret };
  }

  async findByName(name: string): Promise<RemoteView | undefined> {
    const row = await this.db.row<RemoteRow>(`SELECT ${REMOTE_COLUMNS} FROM remotes WHERE name = ?`, [name]);
    return row ? toView(row) : undefined;
  }

  /** The name's uniqueness is the table's: of two saves of one name at once (any node), the second is a conflict. */
  async save(input: RemoteInput, now: number, id?: number): Promise<RemoteView> {
    const r = parseRemoteInput(input);
    const taken = () => new AppError('conflict', `A remote named "${r.name}" already exists`);
    try {
      return await this.db.tx(async (t) => {
        const clash = await t.row<{ id: number }>(`SELECT id FROM remotes WHERE name = ?`, [r.name]);
        if (clash && clash.id !== id) throw taken();
        const config = JSON.stringify(r.config);
        if (id === undefined) {
          const [created] = await t.returning<{ id: number }>(
            `INSERT INTO remotes (name, kind, config, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
            [r.name, r.kind, config, r.secret ?? null, now, now],
          );
          return toView(await rowOf(t, created!.id));
        }
        const existing = await rowOf(t, id, 'FOR UPDATE');
        if (existing.kind !== r.kind) throw new AppError('bad-request', 'The kind of a remote cannot change; create a new remote');
        const secret = r.secret === undefined ? existing.secret : r.secret;
        // The last Test was of another address or credential: it says nothing about this one.
        const forgetTest = config !== existing.config || secret !== existing.secret;
        await t.run(
          `UPDATE remotes SET name = ?, config = ?, secret = ?, updated_at = ?${forgetTest ? ', last_test_ok = NULL, last_test_message = NULL, last_test_at = NULL' : ''} WHERE id = ?`,
          [r.name, config, secret, now, id],
        );
        return toView(await rowOf(t, id));
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw taken();
      throw e;
    }
  }

  async replaceSecret(id: number, stored: string): Promise<void> {
    await this.db.run(`UPDATE remotes SET secret = ? WHERE id = ?`, [stored, id]);
  }

  async recordTest(id: number, t: RemoteLastTest | null): Promise<void> {
    await this.db.run(`UPDATE remotes SET last_test_ok = ?, last_test_message = ?, last_test_at = ? WHERE id = ?`, [
      t === null ? null : t.ok ? 1 : 0,
      t?.message ?? null,
      t?.at ?? null,
      id,
    ]);
  }

  /** Refused while requests to the remote are in flight; the row lock keeps a job from being created meanwhile. */
  async delete(id: number): Promise<void> {
    await this.db.tx(async (t) => {
      await rowOf(t, id, 'FOR UPDATE');
      const inFlight = (await t.row<{ n: number }>(
        `SELECT COUNT(*) AS n FROM outgoing WHERE remote_id = ? AND state IN ('queued', 'posting', 'checking', 'working')`,
        [id],
      ))!.n;
      if (inFlight > 0) throw new AppError('conflict', `This remote has ${inFlight} request(s) in flight; cancel them or wait before deleting it`);
      await t.run(`DELETE FROM remotes WHERE id = ?`, [id]);
    });
  }
}

async function rowOf(db: Reader, id: number, lock = ''): Promise<RemoteRow> {
  const row = await db.row<RemoteRow>(`SELECT ${REMOTE_COLUMNS} FROM remotes WHERE id = ? ${lock}`, [id]);
  if (!row) throw new NotFoundError('remote', id, `No remote with id ${id}`);
  return row;
}
