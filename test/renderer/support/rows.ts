import type { OutgoingInstance, OutgoingRequest } from '../../../src-shared/outgoing';
import type { IncomingInstance, IncomingTransaction } from '../../../src-shared/transactions';
import type { StudyRow, SeriesRow, InstanceRow, Settings } from '../../../src-shared/contract/handlers';

/** Typed rows for fake handlers. */
export function request(p: Partial<OutgoingRequest> & { id: number }): OutgoingRequest {
  return {
    jobId: 1,
    jobLabel: 'Migration batch 1',
    remoteId: 1,
    remoteName: 'Archive',
    transactionUid: `2.25.${1000 + p.id}`,
    previousUids: [],
    state: 'working',
    form: 'study',
    studyUid: null,
    label: `Request ${p.id}`,
    instanceCount: 10,
    committedCount: 0,
    failedCount: 0,
    createdAt: Date.now() - 60_000,
    sentAt: Date.now() - 50_000,
    workingSince: null,
    lastContactAt: null,
    nextAttemptAt: Date.now() + 5000,
    completedAt: null,
    attempts: 1,
    polls: 0,
    protocol: 'dicomweb',
    status: 202,
    error: null,
    proxyFor: null,
    ...p,
  };
}

export function outgoingInstance(requestId: number, seq: number, p: Partial<OutgoingInstance> = {}): OutgoingInstance {
  return {
    requestId,
    seq,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    sopInstanceUid: `1.2.3.${requestId}.${seq}`,
    studyUid: '1.2.3',
    seriesUid: '1.2.3.4',
    filePath: `/data/IM${seq}`,
    outcome: 'committed',
    failureReason: null,
    detail: null,
    updatedAt: Date.now(),
    ...p,
  };
}

export function study(i: number, p: Partial<StudyRow> = {}): StudyRow {
  return {
    studyUid: `1.2.826.${i}`,
    patientName: `PATIENT^P${i}`,
    patientId: `PID${i}`,
    studyDate: '20260101',
    studyDescription: `Study ${i}`,
    accessionNumber: null,
    modalities: 'CT',
    seriesCount: 2,
    instanceCount: 6,
    ...p,
  };
}

export function seriesOf(studyIndex: number, n: number, instanceCount = 3): SeriesRow[] {
  return Array.from({ length: n }, (_, k) => ({
    seriesUid: `1.2.826.${studyIndex}.${k + 1}`,
    seriesNumber: k + 1,
    seriesDescription: `Series ${k + 1}`,
    modality: 'CT',
    instanceCount,
  }));
}

export function instanceRow(seriesUid: string, k: number): InstanceRow {
  return { sopInstanceUid: `${seriesUid}.${k + 1}`, sopClassUid: '1.2.840.10008.5.1.4.1.1.2', instanceNumber: k + 1, path: `/lib/${seriesUid}/IM${k + 1}`, size: 1234 };
}

/** The settings of a fresh install, with `p` on top. */
export function settingsRow(p: Partial<Settings> = {}): Settings {
  return {
    server: { host: '127.0.0.1', port: 8080, allowedHosts: [], url: 'http://127.0.0.1:8080', authEnabled: true },
    policy: 'library',
    dimsePolicy: 'library',
    policies: [{ id: 'library', description: 'Local library' }],
    retentionDays: 30,
    syncWindowSeconds: 2,
    acceptedSopClasses: null,
    dimse: { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: 11112, listening: false, peers: [] },
    reportTimeoutMinutes: 10,
    auditSyslog: null,
    dataDir: '/data',
    pendingRestart: [],
    tls: { stored: null, inUse: null },
    database: { inUse: null, source: 'default', stored: null, importAtStart: false, lastImport: null },
    ...p,
  };
}

export function incomingTransaction(p: Partial<IncomingTransaction> & { transactionUid: string }): IncomingTransaction {
  return {
    source: 'dicomweb',
    client: 'pacs',
    requester: '10.0.0.5',
    state: 'working',
    mediaType: 'application/dicom+json',
    policy: 'library',
    instanceCount: 10,
    committedCount: 0,
    failedCount: 0,
    receivedAt: Date.now() - 60_000,
    completedAt: null,
    expiresAt: null,
    reportState: null,
    reportAttempts: 0,
    reportError: null,
    ...p,
  };
}

export function incomingInstance(seq: number, p: Partial<IncomingInstance> = {}): IncomingInstance {
  return {
    seq,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    sopInstanceUid: `1.2.9.${seq}`,
    form: 'study',
    studyUid: '1.2.9',
    seriesUid: '1.2.9.1',
    outcome: 'committed',
    failureReason: null,
    detail: null,
    decidedAt: Date.now(),
    ...p,
  };
}
