import { AppError } from '../../../src-shared/contract/errors';
import { RemoteInputSchema, type RemoteInput, type RemoteLastTest, type RemoteView } from '../../../src-shared/remotes';
import type { Db } from './db';
import { NotFoundError } from './not-found';
import type { RemotesStore } from './ports';
import type { RemoteWithSecret } from '../remotes/model/remote';

export type { RemoteWithSecret };

/** A remotes row as both stores read it. */
export interface RemoteRow {
  id: number;
  name: string;
  kind: 'dicomweb' | 'dimse';
  config: string;
  secret: string | null;
  createdAt: number;
  updatedAt: number;
  lastTestOk: number | null;
  lastTestMessage: string | null;
  lastTestAt: number | null;
}

/** Quoted aliases: PostgreSQL keeps their case too. */
export const REMOTE_COLUMNS = `id, name, kind, config, secret, created_at AS "createdAt", updated_at AS "updatedAt",
  last_test_ok AS "lastTestOk", last_test_message AS "lastTestMessage", last_test_at AS "lastTestAt"`;

/** Named remote archives (DICOMweb origin servers, DIMSE SCPs), in SQLite. */
export class RemotesRepo implements RemotesStore {
  constructor(private readonly db: Db) {}

  async list(): Promise<RemoteView[]> {
    return (this.db.sql.prepare(`SELECT ${REMOTE_COLUMNS} FROM remotes ORDER BY name`).all() as RemoteRow[]).map(toView);
  }

  async get(id: number): Promise<RemoteView> {
    return toView(this.row(id));
  }

  async withSecret(id: number): Promise<RemoteWithSecret> {
    const row = this.row(id);
    return { ...toView(row), secret: row.secret };
  }

  async findByName(name: string): Promise<RemoteView | undefined> {
    return this.byName(name);
  }

  private byName(name: string): RemoteView | undefined {
    const row = this.db.sql.prepare(`SELECT ${REMOTE_COLUMNS} FROM remotes WHERE name = ?`).get(name) as RemoteRow | undefined;
    return row ? toView(row) : undefined;
  }

  /** Creates (no id) or updates a remote; input is validated here, at the store's boundary too. */
  async save(input: RemoteInput, now: number, id?: number): Promise<RemoteView> {
    const r = parseRemoteInput(input);
    // The name check and the write are one transaction: two saves of one name cannot both pass.
    return this.db.tx(() => this.write(r, now, id));
  }

  private write(r: RemoteInput, now: number, id: number | undefined): RemoteView {
    const clash = this.byName(r.name);
    if (clash && clash.id !== id) throw new AppError('conflict', `A remote named "${r.name}" already exists`);
    const config = JSON.stringify(r.config);
    if (id === undefined) {
      const res = this.db.sql
        .prepare(`INSERT INTO remotes (name, kind, config, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(r.name, r.kind, config, r.secret ?? null, now, now);
      return toView(this.row(Number(res.lastInsertRowid)));
    }
    const existing = this.row(id);
    if (existing.kind !== r.kind) throw new AppError('bad-request', 'The kind of a remote cannot change; create a new remote');
    const secret = r.secret === undefined ? existing.secret : r.secret;
    this.db.sql
      .prepare(`UPDATE remotes SET name = ?, config = ?, secret = ?, updated_at = ? WHERE id = ?`)
      .run(r.name, config, secret, now, id);
    // The last Test was of another address or credential: it says nothing about this one.
    if (config !== existing.config || secret !== existing.secret) this.recordTestNow(id, null);
    return toView(this.row(id));
  }

  async replaceSecret(id: number, stored: string): Promise<void> {
    this.db.sql.prepare(`UPDATE remotes SET secret = ? WHERE id = ?`).run(stored, id);
  }

  /** Keeps the outcome of the remote's Test; null forgets it. */
  async recordTest(id: number, t: RemoteLastTest | null): Promise<void> {
    this.recordTestNow(id, t);
  }

  private recordTestNow(id: number, t: RemoteLastTest | null): void {
    this.db.sql
      .prepare(`UPDATE remotes SET last_test_ok = ?, last_test_message = ?, last_test_at = ? WHERE id = ?`)
      .run(t === null ? null : t.ok ? 1 : 0, t?.message ?? null, t?.at ?? null, id);
  }

  /** Refused while requests to the remote are in flight (checked in the same transaction). */
  async delete(id: number): Promise<void> {
    this.db.tx(() => this.deleteNow(id));
  }

  private deleteNow(id: number): void {
    this.row(id);
    const inFlight = this.db.sql
      .prepare(`SELECT COUNT(*) AS n FROM outgoing WHERE remote_id = ? AND state IN ('queued', 'posting', 'checking', 'working')`)
      .get(id) as { n: number };
    if (inFlight.n > 0) {
      throw new AppError('conflict', `This remote has ${inFlight.n} request(s) in flight; cancel them or wait before deleting it`);
    }
    this.db.sql.prepare(`DELETE FROM remotes WHERE id = ?`).run(id);
  }

  private row(id: number): RemoteRow {
    const row = this.db.sql.prepare(`SELECT ${REMOTE_COLUMNS} FROM remotes WHERE id = ?`).get(id) as RemoteRow | undefined;
    if (!row) throw new NotFoundError('remote', id, `No remote with id ${id}`);
    return row;
  }
}

/** Validated here, at the store's boundary too. */
export function parseRemoteInput(input: RemoteInput): RemoteInput {
  const parsed = RemoteInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('bad-request', `Invalid remote: ${issue.path.join('.') || 'input'}: ${issue.message}`);
  }
  return parsed.data;
}

export function toView(row: RemoteRow): RemoteView {
  const config = JSON.parse(row.config);
  const lastTest = row.lastTestAt === null ? null : { ok: row.lastTestOk === 1, message: row.lastTestMessage ?? '', at: row.lastTestAt };
  const base = { id: row.id, name: row.name, createdAt: row.createdAt, updatedAt: row.updatedAt, lastTest };
  return row.kind === 'dicomweb' ? { ...base, kind: 'dicomweb', config, hasSecret: row.secret !== null } : { ...base, kind: 'dimse', config, hasSecret: false };
}
