/**
 * Storage Commitment data sets (PS3.4 §J.3.2 / §J.3.3) <-> typed data, on dcmjs naturalized
 * elements (keywords as keys, sequences as arrays of item objects).
 */
import { describeUidProblem, uidProblem } from '../../../src-shared/dicom/uid';
import { numberValue, sequenceItems, stringValue } from './lib';
import {
  DIMSE_STATUS,
  EVENT_TYPE_ALL_COMMITTED,
  EVENT_TYPE_FAILURES_EXIST,
  STORAGE_COMMITMENT_PUSH_MODEL_SOP_CLASS,
  STORAGE_COMMITMENT_PUSH_MODEL_SOP_INSTANCE,
  type CommitmentReport,
  type CommitmentReportContent,
  type FailedInstanceRef,
  type InstanceRef,
} from './types';

export type Elements = Record<string, unknown>;

function refItem(i: InstanceRef): Elements {
  return { ReferencedSOPClassUID: i.sopClassUid, ReferencedSOPInstanceUID: i.sopInstanceUid };
}

/** N-ACTION data set: Transaction UID + Referenced SOP Sequence. */
export function nActionElements(transactionUid: string, instances: readonly InstanceRef[]): Elements {
  return { TransactionUID: transactionUid, ReferencedSOPSequence: instances.map(refItem) };
}

/** N-EVENT-REPORT data set; empty sequences are left out. */
export function reportElements(report: CommitmentReportContent): Elements {
  const el: Elements = { TransactionUID: report.transactionUid };
  if (report.committed.length > 0) el.ReferencedSOPSequence = report.committed.map(refItem);
  if (report.failed.length > 0) {
    el.FailedSOPSequence = report.failed.map((f) => ({ ...refItem(f), FailureReason: f.failureReason }));
  }
  return el;
}

export function reportEventType(report: CommitmentReportContent): 1 | 2 {
  return report.failed.length === 0 ? EVENT_TYPE_ALL_COMMITTED : EVENT_TYPE_FAILURES_EXIST;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; status: number; problem: string };

function bad<T>(status: number, problem: string): Parsed<T> {
  return { ok: false, status, problem };
}

function checkUid(value: string | undefined, what: string): string | null {
  if (value === undefined || value === '') return `${what} is missing`;
  const p = uidProblem(value);
  return p === null ? null : `${what} "${value}" ${describeUidProblem(p)}`;
}

/**
 * Validates an N-ACTION data set (Action Type 1). Every problem is answered with 0115H
 * Invalid argument value: the general N-ACTION statuses (PS3.7 §10.1.4.1.10) have no
 * "missing attribute" code.
 */
export function parseNActionElements(el: Elements | undefined): Parsed<{ transactionUid: string; instances: InstanceRef[] }> {
  const invalid = DIMSE_STATUS.InvalidArgumentValue;
  if (!el) return bad(invalid, 'the N-ACTION has no data set');
  const transactionUid = stringValue(el.TransactionUID);
  const tuProblem = checkUid(transactionUid, 'Transaction UID (0008,1195)');
  if (tuProblem) return bad(invalid, tuProblem);
  const items = sequenceItems(el.ReferencedSOPSequence);
  if (!items || items.length === 0) return bad(invalid, 'Referenced SOP Sequence (0008,1199) is missing or empty');
  const instances: InstanceRef[] = [];
  const seen = new Set<string>();
  for (const [n, item] of items.entries()) {
    const sopClassUid = stringValue(item.ReferencedSOPClassUID);
    const sopInstanceUid = stringValue(item.ReferencedSOPInstanceUID);
    const p =
      checkUid(sopClassUid, `Referenced SOP Class UID (0008,1150) in item ${n + 1}`) ??
      checkUid(sopInstanceUid, `Referenced SOP Instance UID (0008,1155) in item ${n + 1}`);
    if (p) return bad(invalid, p);
    if (seen.has(sopInstanceUid!)) return bad(invalid, `SOP Instance UID ${sopInstanceUid} is listed more than once`);
    seen.add(sopInstanceUid!);
    instances.push({ sopClassUid: sopClassUid!, sopInstanceUid: sopInstanceUid! });
  }
  return { ok: true, value: { transactionUid: transactionUid!, instances } };
}

/**
 * Reads an N-EVENT-REPORT data set. Lenient about UID syntax (the report is about the
 * peer's archive, not input Safekeep must police) but not about structure: a missing
 * Transaction UID or an item without UIDs makes it unusable (0110H).
 */
export function parseReportElements(
  el: Elements | undefined,
): Parsed<{ transactionUid: string; committed: InstanceRef[]; failed: FailedInstanceRef[] }> {
  const failure = DIMSE_STATUS.ProcessingFailure;
  if (!el) return bad(failure, 'the N-EVENT-REPORT has no data set');
  const transactionUid = stringValue(el.TransactionUID);
  if (!transactionUid) return bad(failure, 'Transaction UID (0008,1195) is missing');
  const committed: InstanceRef[] = [];
  for (const item of sequenceItems(el.ReferencedSOPSequence) ?? []) {
    const sopClassUid = stringValue(item.ReferencedSOPClassUID);
    const sopInstanceUid = stringValue(item.ReferencedSOPInstanceUID);
    if (!sopClassUid || !sopInstanceUid) return bad(failure, 'a Referenced SOP Sequence item lacks its SOP Class or Instance UID');
    committed.push({ sopClassUid, sopInstanceUid });
  }
  const failed: FailedInstanceRef[] = [];
  for (const item of sequenceItems(el.FailedSOPSequence) ?? []) {
    const sopClassUid = stringValue(item.ReferencedSOPClassUID);
    const sopInstanceUid = stringValue(item.ReferencedSOPInstanceUID);
    if (!sopClassUid || !sopInstanceUid) return bad(failure, 'a Failed SOP Sequence item lacks its SOP Class or Instance UID');
    // Failure Reason is Type 1; a peer that leaves it out still reported a failure: 0110H.
    const failureReason = numberValue(item.FailureReason) ?? DIMSE_STATUS.ProcessingFailure;
    failed.push({ sopClassUid, sopInstanceUid, failureReason });
  }
  return { ok: true, value: { transactionUid, committed, failed } };
}

/** The parts of an incoming N-EVENT-REPORT request that matter here (a dcmjs-dimse NEventReportRequest fits). */
export interface EventReportRequestLike {
  getAffectedSopClassUid(): string;
  getAffectedSopInstanceUid(): string;
  getEventTypeId(): number;
  getDataset(): { getElements(): Record<string, unknown> } | undefined;
}

/**
 * Checks an incoming Storage Commitment N-EVENT-REPORT and turns it into a CommitmentReport,
 * or tells which status to answer: 0118H wrong SOP class, 0117H wrong SOP instance,
 * 0113H event type other than 1/2, 0110H unusable data set.
 */
export function readEventReport(
  request: EventReportRequestLike,
  ctx: { callingAeTitle: string; sameAssociation: boolean },
): Parsed<CommitmentReport> {
  if (stringValue(request.getAffectedSopClassUid()) !== STORAGE_COMMITMENT_PUSH_MODEL_SOP_CLASS) {
    return bad(DIMSE_STATUS.NoSuchSopClass, `Affected SOP Class UID is ${request.getAffectedSopClassUid()}, not Storage Commitment Push Model`);
  }
  if (stringValue(request.getAffectedSopInstanceUid()) !== STORAGE_COMMITMENT_PUSH_MODEL_SOP_INSTANCE) {
    return bad(DIMSE_STATUS.InvalidSopInstance, `Affected SOP Instance UID is ${request.getAffectedSopInstanceUid()}, not the well-known ${STORAGE_COMMITMENT_PUSH_MODEL_SOP_INSTANCE}`);
  }
  const eventTypeId = request.getEventTypeId();
  if (eventTypeId !== EVENT_TYPE_ALL_COMMITTED && eventTypeId !== EVENT_TYPE_FAILURES_EXIST) {
    return bad(DIMSE_STATUS.NoSuchEventType, `Event Type ID ${eventTypeId} is neither 1 nor 2`);
  }
  const parsed = parseReportElements(request.getDataset()?.getElements());
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    value: { ...parsed.value, eventTypeId, callingAeTitle: ctx.callingAeTitle, sameAssociation: ctx.sameAssociation },
  };
}
