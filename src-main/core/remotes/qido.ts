/**
 * QIDO-RS client (PS3.18 §10.6): the archive's own listing of one study's instances,
 * `GET {qido-base}/studies/{study}/instances`, read page by page (limit/offset) until all are in.
 */
import { isPlainObject } from '../codec/dicom-json';
import type { DicomwebClient } from './dicomweb-client';
import { bodyExcerpt, DicomwebAnswerError, DicomwebHttpError, mediaTypeOf } from './dicomweb-errors';

export interface ListedInstance {
  sopInstanceUid: string;
  /** null when the archive leaves it out of the answer (it is a default return attribute, PS3.18 Table 10.6.3-5). */
  sopClassUid: string | null;
  seriesUid: string | null;
}

export interface QidoOptions {
  /** Results asked per request (default 1000). */
  pageSize?: number;
  /** A safety stop against a server that never ends its pages (default 10,000 requests). */
  maxPages?: number;
  signal?: AbortSignal;
}

const SOP_CLASS_UID = '00080016';
const SOP_INSTANCE_UID = '00080018';
const SERIES_INSTANCE_UID = '0020000E';

export class QidoClient {
  /** `base`: the QIDO-RS base URL (e.g. http://host/dicom-web). */
  constructor(
    private readonly http: DicomwebClient,
    private readonly base: string,
  ) {}

  studyInstancesUrl(studyUid: string): string {
    return `${this.base.replace(/\/+$/, '')}/studies/${encodeURIComponent(studyUid)}/instances`;
  }

  /** Every instance of the study the archive lists (none for a study it does not hold). */
  async studyInstances(studyUid: string, o: QidoOptions = {}): Promise<ListedInstance[]> {
    const limit = Math.max(1, o.pageSize ?? 1000);
    const maxPages = o.maxPages ?? 10_000;
    const byUid = new Map<string, ListedInstance>();
    let offset = 0;
    for (let page = 0; ; page++) {
      if (page >= maxPages) {
        throw new DicomwebAnswerError('QIDO-RS', this.studyInstancesUrl(studyUid), 200, `still more results after ${maxPages} pages`);
      }
      const url = `${this.studyInstancesUrl(studyUid)}?limit=${limit}&offset=${offset}`;
      const answer = await this.http.exchange(url, { method: 'GET', headers: { accept: 'application/dicom+json' }, signal: o.signal, maxAnswerBytes: 256 * 1024 * 1024 });
      if (answer.status === 204) break; // no (more) results
      if (answer.status < 200 || answer.status >= 300) throw DicomwebHttpError.of('QIDO-RS', url, answer);
      const rows = parseRows(url, answer.status, answer.headers['content-type'], answer.body);
      let added = 0;
      for (const r of rows) {
        if (!byUid.has(r.sopInstanceUid)) added++;
        byUid.set(r.sopInstanceUid, r);
      }
      // A full page, or a Warning that more results exist (PS3.18 §8.3.4.4), means: ask for the next one.
      // (More rows than the limit: the archive ignores limit and has sent everything.)
      const more = rows.length === limit || /additional results/i.test(answer.headers.warning ?? '');
      if (!more || rows.length === 0) break;
      if (added === 0) {
        throw new DicomwebAnswerError('QIDO-RS', url, answer.status, 'the next page repeats the previous results (the archive ignores offset)');
      }
      offset += rows.length;
    }
    return [...byUid.values()];
  }
}

function parseRows(url: string, status: number, contentType: string | undefined, body: Buffer): ListedInstance[] {
  const garbage = (problem: string) => new DicomwebAnswerError('QIDO-RS', url, status, problem);
  const type = mediaTypeOf(contentType);
  if (body.length === 0) return [];
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw garbage(`not DICOM JSON${type ? ` (Content-Type ${type})` : ''}: ${bodyExcerpt(body)}`);
  }
  if (!Array.isArray(json)) throw garbage('the answer is not a JSON array of data sets');
  return json.map((row, i) => {
    if (!isPlainObject(row)) throw garbage(`result ${i + 1} is not a DICOM JSON data set`);
    const uid = uidOf(row, SOP_INSTANCE_UID);
    if (uid === null) throw garbage(`result ${i + 1} has no SOP Instance UID (0008,0018)`);
    return { sopInstanceUid: uid, sopClassUid: uidOf(row, SOP_CLASS_UID), seriesUid: uidOf(row, SERIES_INSTANCE_UID) };
  });
}

function uidOf(row: Record<string, unknown>, tag: string): string | null {
  const el = row[tag] ?? row[tag.toLowerCase()];
  if (!isPlainObject(el) || !Array.isArray(el.Value)) return null;
  const v = el.Value[0];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}
