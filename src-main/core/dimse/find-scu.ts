/**
 * C-FIND SCU: the archive's own listing of one study, Study Root Query/Retrieve Information
 * Model - FIND, IMAGE level, by Study Instance UID (PS3.4 C.4.1). Every SOP Instance UID it
 * lists, with its SOP Class UID and Series Instance UID where the archive returns them.
 *
 * The final status is data (success, cancel, failure in words); a failure of the association is
 * a DimseError. A listing can be long: the deadline is idle time between responses.
 */
import { Dataset, requests, stringValue, type DimseResponse } from './lib';
import { PendingRequest } from './pending-request';
import { RequestorAssociation } from './requestor';
import type { DimseLogger } from './scu';
import { describeServiceStatus, type StatusWords } from './status-words';
import { STUDY_ROOT_FIND, type AeAddress } from './types';

export interface FoundInstance {
  sopInstanceUid: string;
  sopClassUid: string | null;
  seriesInstanceUid: string | null;
}

export interface FindResult {
  /** The final status in words; null when cancelled and the archive never answered the cancel. */
  status: StatusWords | null;
  comment?: string;
  /** Each instance once, in the order listed. */
  instances: FoundInstance[];
  cancelled: boolean;
}

export interface FindStudyOptions {
  callingAeTitle: string;
  called: AeAddress;
  studyInstanceUid: string;
  /** Connect + association negotiation. */
  timeoutMs: number;
  /** Longest silence between two responses (default 30 s). */
  idleTimeoutMs?: number;
  /** Cap on the whole query (default 10 min). */
  totalTimeoutMs?: number;
  signal?: AbortSignal;
  /** Each instance as it is listed (the result lists them all again). */
  onInstance?: (m: FoundInstance) => void;
  logger?: DimseLogger;
}

const RELEASE_TIMEOUT_MS = 5_000;

function readMatch(rsp: DimseResponse): FoundInstance | undefined {
  const el = rsp.getDataset()?.getElements();
  const sopInstanceUid = el ? stringValue(el.SOPInstanceUID) : undefined;
  if (!el || !sopInstanceUid) return undefined;
  return {
    sopInstanceUid,
    sopClassUid: stringValue(el.SOPClassUID) || null,
    seriesInstanceUid: stringValue(el.SeriesInstanceUID) || null,
  };
}

export async function findStudyInstances(o: FindStudyOptions): Promise<FindResult> {
  const log = o.logger ?? (() => {});
  const a = await RequestorAssociation.open({
    callingAeTitle: o.callingAeTitle,
    called: o.called,
    contexts: [{ abstractSyntax: STUDY_ROOT_FIND }],
    timeoutMs: o.timeoutMs,
  });
  const found = new Map<string, FoundInstance>();
  let unreadable = 0;
  try {
    const req = new requests.CFindRequest();
    // Return keys empty (universal matching); the study is the only matching key.
    req.setDataset(
      new Dataset({ QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: o.studyInstanceUid, SeriesInstanceUID: '', SOPInstanceUID: '', SOPClassUID: '' }),
    );
    const { final, cancelled } = await new PendingRequest(a, {
      ...o,
      service: 'C-FIND',
      onPending: (rsp) => {
        const m = readMatch(rsp);
        if (!m) unreadable++;
        else if (!found.has(m.sopInstanceUid)) {
          found.set(m.sopInstanceUid, m);
          o.onInstance?.(m);
        }
      },
    }).run(req, STUDY_ROOT_FIND);
    if (unreadable > 0) log(`${o.called.aeTitle} sent ${unreadable} C-FIND match(es) without a SOP Instance UID`);
    const comment = final?.getErrorComment() || undefined;
    return {
      status: final ? describeServiceStatus('C-FIND', final.getStatus()) : null,
      ...(comment ? { comment } : {}),
      instances: [...found.values()],
      cancelled,
    };
  } finally {
    await a.release(Math.min(RELEASE_TIMEOUT_MS, o.timeoutMs));
  }
}
