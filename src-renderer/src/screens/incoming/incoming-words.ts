import type { IncomingSource, IncomingTransaction } from '../../../../src-shared/transactions';

export const SOURCE_TEXT: Record<IncomingSource, string> = { dicomweb: 'DICOMweb', dimse: 'DIMSE' };

export const REPORT_TEXT: Record<NonNullable<IncomingTransaction['reportState']>, string> = {
  pending: 'Report pending',
  sent: 'Report sent',
  retrying: 'Report retrying',
  failed: 'Report failed',
};
