import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { echo } from '../../../src-main/core/dimse/scu';
import { DimseError } from '../../../src-main/core/dimse/types';
import { freePort, startOrthanc, type OrthancHandle } from '../../support/orthanc';
import { LOOPBACK } from './dimse-fixtures';

async function failureOf(p: Promise<unknown>): Promise<DimseError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DimseError);
    return err as DimseError;
  }
  throw new Error('expected a DimseError');
}

describe('C-ECHO against a real Orthanc', () => {
  let orthanc: OrthancHandle;

  beforeAll(async () => {
    // Orthanc knows SAFEKEEP; DicomAlwaysAllowEcho is false, so unknown AEs cannot echo.
    orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', LOOPBACK, 104] } });
  });
  afterAll(async () => {
    await orthanc?.stop();
  });

  test('a known calling AE gets status 0000H', async () => {
    const r = await echo({
      callingAeTitle: 'SAFEKEEP',
      called: { aeTitle: orthanc.aeTitle, host: LOOPBACK, port: orthanc.dicomPort },
      timeoutMs: 5_000,
    });
    expect(r.status).toBe(0x0000);
  });

  test('an unknown calling AE fails fast with a DimseError (Orthanc aborts after the C-ECHO-RQ)', async () => {
    const started = Date.now();
    const err = await failureOf(
      echo({ callingAeTitle: 'STRANGER', called: { aeTitle: orthanc.aeTitle, host: LOOPBACK, port: orthanc.dicomPort }, timeoutMs: 10_000 }),
    );
    const elapsed = Date.now() - started;
    expect(['rejected', 'aborted']).toContain(err.kind);
    expect(err.message).toMatch(/ORTHANC/);
    expect(elapsed).toBeLessThan(3_000);
  });

  test('a wrong called AE title is rejected with the reason in words', async () => {
    const err = await failureOf(
      echo({ callingAeTitle: 'SAFEKEEP', called: { aeTitle: 'NOT-ORTHANC', host: LOOPBACK, port: orthanc.dicomPort }, timeoutMs: 5_000 }),
    );
    expect(err.kind).toBe('rejected');
    expect(err.message).toBe('association rejected by NOT-ORTHANC (called AE title not recognized, permanent)');
  });
});

describe('C-ECHO transport failures', () => {
  test('nothing listening => connect-failed', async () => {
    const port = await freePort();
    const err = await failureOf(echo({ callingAeTitle: 'SAFEKEEP', called: { aeTitle: 'NOBODY', host: LOOPBACK, port }, timeoutMs: 5_000 }));
    expect(err.kind).toBe('connect-failed');
    expect(err.message).toContain('connection refused');
  });

  test('a peer that accepts TCP but never answers => timeout within timeoutMs', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => silent.listen(0, LOOPBACK, () => r()));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const started = Date.now();
      const err = await failureOf(echo({ callingAeTitle: 'SAFEKEEP', called: { aeTitle: 'SILENT', host: LOOPBACK, port }, timeoutMs: 700 }));
      expect(err.kind).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
