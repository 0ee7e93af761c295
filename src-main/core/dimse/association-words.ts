/**
 * Words and small messages of an association: why it was rejected or aborted (for the user), and the
 * N-EVENT-REPORT-RSP both sides of Safekeep answer with.
 */
import { constants, responses, type AbortInfo, type DimseResponse, type NEventReportRequest, type RejectInfo } from './lib';

export function describeReject(r: RejectInfo): string {
  const { RejectSource: S, RejectReason: R, RejectResult } = constants;
  const permanence = r.result === RejectResult.Transient ? 'transient' : 'permanent';
  let why: string;
  if (r.source === S.ServiceUser) {
    why =
      r.reason === R.CallingAeNotRecognized
        ? 'calling AE title not recognized'
        : r.reason === R.CalledAeNotRecognized
          ? 'called AE title not recognized'
          : r.reason === R.ApplicationContextNotSupported
            ? 'application context not supported'
            : 'no reason given';
  } else if (r.source === S.ServiceProviderAcse) {
    why = r.reason === 2 ? 'protocol version not supported' : 'no reason given (ACSE)';
  } else if (r.source === S.ServiceProviderPresentation) {
    why = r.reason === 1 ? 'temporary congestion' : r.reason === 2 ? 'local limit exceeded' : `reason ${r.reason}`;
  } else {
    why = `source ${r.source}, reason ${r.reason}`;
  }
  return `${why}, ${permanence}`;
}

export function describeAbort(a: AbortInfo): string {
  const sources: Record<number, string> = { 0: 'service user', 1: 'reserved', 2: 'service provider' };
  const reasons: Record<number, string> = {
    0: 'not specified',
    1: 'unrecognized PDU',
    2: 'unexpected PDU',
    4: 'unrecognized PDU parameter',
    5: 'unexpected PDU parameter',
    6: 'invalid PDU parameter',
  };
  return `source: ${sources[a.source] ?? a.source}, reason: ${reasons[a.reason] ?? a.reason}`;
}

/** An N-EVENT-REPORT-RSP for `request` with `status` (no Error Comment). */
export function makeEventReportResponse(request: NEventReportRequest, status: number): DimseResponse {
  const rsp = new responses.NEventReportResponse(
    request.getAffectedSopClassUid(),
    request.getAffectedSopInstanceUid(),
    request.getEventTypeId(),
    status,
    '',
  );
  rsp.setMessageIdBeingRespondedTo(request.getMessageId());
  dropEmptyErrorComment(rsp);
  return rsp;
}

/** The library always puts an Error Comment (0000,0902) element in responses; leave it out when empty. */
export function dropEmptyErrorComment(rsp: DimseResponse): void {
  const el = rsp.getCommandDataset().getElements();
  if (el.ErrorComment === undefined || el.ErrorComment === '') delete el.ErrorComment;
}
