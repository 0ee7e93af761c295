import http from 'node:http';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { OutgoingRequest } from '../../../src-shared/outgoing';
import { describeProblem, describeSituation } from '../../../src-shared/outgoing-situation';
import { DicomwebRemoteConfigSchema } from '../../../src-shared/remotes';
import { DicomwebClient } from '../../../src-main/core/remotes/dicomweb-client';

const NOW = new Date(2026, 0, 5, 13, 0, 0).getTime();
const HOUR = 3600_000;

function request(p: Partial<OutgoingRequest>): OutgoingRequest {
  return {
    id: 3,
    jobId: 1,
    jobLabel: null,
    remoteId: 1,
    remoteName: 'archive',
    transactionUid: '2.25.1',
    previousUids: [],
    state: 'queued',
    form: 'study',
    studyUid: null,
    label: null,
    instanceCount: 10,
    committedCount: 0,
    failedCount: 0,
    createdAt: NOW - 23 * HOUR,
    sentAt: null,
    workingSince: null,
    lastContactAt: null,
    nextAttemptAt: null,
    completedAt: null,
    attempts: 0,
    polls: 0,
    protocol: 'dicomweb',
    status: null,
    error: null,
    proxyFor: null,
    ...p,
  };
}

const dicomweb = { kind: 'dicomweb' as const, deadlineHours: 24 };

describe('the situation of an outgoing request, from its stored state', () => {
  it('an archive answering 500: the status, which retry, when, and when Safekeep gives up', () => {
    const r = request({ state: 'queued', sentAt: NOW - 23 * HOUR, attempts: 4, nextAttemptAt: NOW + 40_000, status: 500, error: 'HTTP 500 from the archive: Database is locked; retrying' });
    const s = describeSituation(r, dicomweb, NOW)!;
    expect(s).toMatchObject({ text: 'archive answered HTTP 500; retry 4 in 40 s; gives up at 14:00', trouble: true });
    // The countdown does not change the situation; the next retry does.
    expect(describeSituation(r, dicomweb, NOW + 20_000)!).toMatchObject({ key: s.key, text: 'archive answered HTTP 500; retry 4 in 20 s; gives up at 14:00' });
    expect(describeSituation({ ...r, attempts: 5 }, dicomweb, NOW)!.key).not.toBe(s.key);
    // A deadline on another day says which.
    expect(describeSituation({ ...r, sentAt: NOW - HOUR }, dicomweb, NOW)!.text).toMatch(/gives up at tomorrow 12:00$/);
    expect(describeSituation({ ...r, sentAt: NOW - HOUR }, { ...dicomweb, deadlineHours: 72 }, NOW)!.text).toMatch(/gives up at 2026-01-08 12:00$/);
  });

  it('Result Checks that fail count polls; a working request says when it is checked next', () => {
    const checking = request({ state: 'working', workingSince: NOW - HOUR, polls: 6, nextAttemptAt: NOW + 120_000, error: 'HTTP 503 from the archive: busy; retrying' });
    expect(describeSituation(checking, dicomweb, NOW)!.text).toBe('archive answered HTTP 503; retry 6 in 2 min; gives up at tomorrow 12:00');
    const working = request({ state: 'working', workingSince: NOW - HOUR, polls: 2, nextAttemptAt: NOW + 20_000, status: 202 });
    expect(describeSituation(working, dicomweb, NOW)).toMatchObject({ text: 'archive is working on it (HTTP 202); next Result Check in 20 s; gives up at tomorrow 12:00', trouble: false });
    expect(describeSituation(request({ state: 'queued' }), dicomweb, NOW)).toMatchObject({ text: 'waiting to be sent', trouble: false });
    expect(describeSituation(request({ state: 'done' }), dicomweb, NOW)).toBeNull();
  });

  it('a DIMSE request waits for the N-EVENT-REPORT until the deadline', () => {
    const r = request({ state: 'working', workingSince: NOW - 2 * HOUR, protocol: 'dimse' });
    expect(describeSituation(r, { kind: 'dimse', deadlineHours: 24 }, NOW)).toMatchObject({ text: "waiting for the archive's report (N-EVENT-REPORT); gives up at tomorrow 11:00", trouble: false });
  });
});

describe('the short wording of the errors the DICOMweb client really raises', () => {
  const servers: { close(): void }[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  const client = (port: number) => new DicomwebClient(DicomwebRemoteConfigSchema.parse({ baseUrl: `http://127.0.0.1:${port}/dicomweb`, timeoutSeconds: 1 }), null);
  const failure = async (port: number) => {
    const c = client(port);
    try {
      await c.get('2.25.9');
      throw new Error('expected a transport error');
    } catch (e) {
      return `${(e as Error).message}; retrying`;
    } finally {
      await c.close();
    }
  };
  const listen = async (server: net.Server | http.Server) => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    return (server.address() as net.AddressInfo).port;
  };

  it('refused, no answer in time, connection closed', async () => {
    const closed = net.createServer();
    const closedPort = await listen(closed);
    await new Promise<void>((r) => closed.close(() => r()));
    expect(describeProblem(await failure(closedPort))).toBe('archive refused the connection');
    const silent = http.createServer(() => undefined); // never answers
    expect(describeProblem(await failure(await listen(silent)))).toBe('archive did not answer in time');
    const rude = net.createServer((s) => s.once('data', () => s.destroy()));
    expect(describeProblem(await failure(await listen(rude)))).toBe('archive closed the connection without answering');
    expect(describeProblem('HTTP 502 from the archive: Bad gateway; retrying')).toBe('archive answered HTTP 502');
  });
});
