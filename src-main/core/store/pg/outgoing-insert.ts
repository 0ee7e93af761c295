import type { PlannedInstance, PlannedRequest } from '../../engine/model/outgoing';
import type { PgTx } from './db';
import { chunks } from './sql';
import { pgVerdicts } from './verdicts';

/** Rows per INSERT of outgoing instances (arrays of this many values per column). */
const INSERT_CHUNK = 20_000;

/**
 * Stores requests with every instance pending, and their pending verdicts: all the requests in one statement,
 * their instances in statements of 20,000 (column arrays through unnest), the verdicts in one. Returns the
 * ids in the order of `requests` (ascending, like SQLite's rowids).
 */
export async function insertRequests(
  t: PgTx,
  to: { jobId: number | null; remoteId: number; remoteName: string },
  requests: readonly PlannedRequest[],
  now: number,
): Promise<number[]> {
  if (requests.length === 0) return [];
  const rows = await t.returning<{ id: number; uid: string }>(
    `INSERT INTO outgoing (job_id, remote_id, remote_name, transaction_uid, state, form, study_uid, label, instance_count, created_at, next_attempt_at, proxy_for, follow_up_of, protocol)
     SELECT ?::bigint, ?::bigint, ?::text, u.uid, 'queued', u.form, u.study, u.label, u.n, ?::bigint, ?::bigint, u.proxy, u.follow,
       COALESCE((SELECT kind FROM remotes WHERE id = ?::bigint), 'dicomweb')
     FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::bigint[]) WITH ORDINALITY AS u(uid, form, study, label, n, proxy, follow, k)
     ORDER BY u.k
     RETURNING id, transaction_uid AS uid`,
    [
      to.jobId,
      to.remoteId,
      to.remoteName,
      now,
      now,
      to.remoteId,
      requests.map((r) => r.transactionUid),
      requests.map((r) => r.form),
      requests.map((r) => r.studyUid),
      requests.map((r) => r.label),
      requests.map((r) => r.instances.length),
      requests.map((r) => r.proxyFor ?? null),
      requests.map((r) => r.followUpOf ?? null),
    ],
  );
  const idOf = new Map(rows.map((r) => [r.uid, r.id]));
  const ids = requests.map((r) => idOf.get(r.transactionUid)!);
  const all: [number, number, PlannedInstance][] = requests.flatMap((r, k) => r.instances.map((i, seq): [number, number, PlannedInstance] => [ids[k]!, seq, i]));
  for (const [, part] of chunks(all, INSERT_CHUNK)) {
    const col = <V>(pick: (i: PlannedInstance) => V) => part.map(([, , i]) => pick(i));
    await t.run(
      `INSERT INTO outgoing_instances (request_id, seq, sop_class_uid, sop_instance_uid, study_uid, series_uid, file_path,
         file_size, file_mtime_ms, patient_id, accession_number, study_date, updated_at)
       SELECT u.*, ?::bigint FROM unnest(?::bigint[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
         ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[]) AS u`,
      [
        now,
        part.map(([id]) => id),
        part.map(([, seq]) => seq),
        col((i) => i.sopClassUid),
        col((i) => i.sopInstanceUid),
        col((i) => i.studyUid),
        col((i) => i.seriesUid),
        col((i) => i.filePath),
        col((i) => i.fileSize ?? null),
        col((i) => i.fileMtimeMs ?? null),
        col((i) => i.patientId ?? null),
        col((i) => i.accessionNumber ?? null),
        col((i) => i.studyDate ?? null),
      ],
    );
  }
  await pgVerdicts.requests(t, ids, now);
  return ids;
}
