import { buildCommitmentRequest } from '../codec/request-json';
import { describeFailureReason } from '../../../src-shared/dicom/failure-reasons';
import type { OutgoingInstance } from '../../../src-shared/outgoing';
import type { DicomwebClient, HttpAnswer } from '../remotes/dicomweb-client';
import { interpretResult, parseAnswer } from './response-check';
import { newTransactionUid } from './transaction-uid';

/** Secondary Capture Image Storage: any SOP Class will do for an instance nobody has. */
const PROBE_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.7';

/** The archive's own explanation: a problem body ({error, detail}, Orthanc's {Message}), the Warning header, or the start of the body. */
export function explainError(a: HttpAnswer): string {
  const parts: string[] = [];
  try {
    const j = JSON.parse(a.body) as { error?: unknown; detail?: unknown; message?: unknown; Message?: unknown };
    for (const v of [j.error ?? j.message ?? j.Message, j.detail]) if (typeof v === 'string' && v) parts.push(v);
  } catch {
    const text = a.body.replace(/\s+/g, ' ').trim();
    if (text) parts.push(text.slice(0, 300));
  }
  if (a.headers.warning) parts.push(`Warning: ${a.headers.warning}`);
  return parts.join(' — ') || 'no explanation given';
}

/** A POST to …/commitment-requests/{uid} answered 404 or 405: no such service at this base URL. */
export function isMissingService(status: number): boolean {
  return status === 404 || status === 405;
}

export function noCommitmentService(baseUrl: string, a: HttpAnswer): string {
  return (
    `This archive does not offer DICOMweb storage commitment at ${baseUrl}: POST …/commitment-requests/{Transaction UID} answered HTTP ${a.status} (${explainError(a)}). ` +
    'Check that the base URL is its DICOMweb service root and that it implements storage commitment (PS3.18 §13)'
  );
}

/**
 * The remote's Test: asks the archive to commit one made-up instance. A working commitment
 * service answers that it does not keep it (200 with a failure, or 202 and then a Result
 * Check); a missing route answers 404 or 405 to the POST. (A Result Check of an unused UID
 * cannot tell the two apart: both answer 404.)
 */
export async function probeCommitmentService(client: DicomwebClient, baseUrl: string): Promise<{ ok: boolean; message: string }> {
  const uid = newTransactionUid();
  const probe: OutgoingInstance = {
    requestId: 0,
    seq: 0,
    sopClassUid: PROBE_SOP_CLASS,
    sopInstanceUid: newTransactionUid(),
    studyUid: null,
    seriesUid: null,
    filePath: null,
    outcome: 'pending',
    failureReason: null,
    detail: null,
    updatedAt: null,
  };
  const asked = `a request for one made-up instance (Transaction UID ${uid})`;
  const post = await client.post(uid, JSON.stringify(buildCommitmentRequest([{ form: 'flat', sopClassUid: probe.sopClassUid, sopInstanceUid: probe.sopInstanceUid }])));
  if (post.status === 401 || post.status === 403) return { ok: false, message: `HTTP ${post.status} from ${client.url(uid)}: the archive refused the credentials: ${explainError(post)}` };
  if (isMissingService(post.status)) return { ok: false, message: noCommitmentService(baseUrl, post) };
  let answer = post;
  if (post.status === 202) {
    answer = await client.get(uid);
    if (answer.status === 202) return { ok: true, message: `The commitment service at ${baseUrl} accepted ${asked} (HTTP 202) and answers its Result Check (still working)` };
  }
  if (answer.status !== 200) {
    const step = answer === post ? 'the request' : 'the Result Check of the accepted request';
    return { ok: false, message: `Unexpected HTTP ${answer.status} to ${step} for one made-up instance at ${client.url(uid)}: ${explainError(answer)}` };
  }
  const { results, problem } = interpretResult([probe], () => parseAnswer(answer.body, answer.headers['content-type']));
  if (problem) return { ok: false, message: `The commitment service at ${baseUrl} answered ${asked} wrongly: ${problem}` };
  const [result] = results;
  if (result!.outcome === 'committed') {
    return { ok: false, message: `The archive at ${baseUrl} confirmed a made-up instance it cannot keep: its storage commitment answers cannot be trusted` };
  }
  const reason = result!.failureReason === null ? 'without a Failure Reason' : `with ${describeFailureReason(result!.failureReason)}`;
  return { ok: true, message: `The commitment service at ${baseUrl} works: ${asked} came back failed ${reason}, as expected (HTTP ${post.status}${answer === post ? '' : ', then 200'})` };
}
