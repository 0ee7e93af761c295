/** C-STORE SCU as a Sender: one association (per 128 contexts) for every instance of a round. */
import { storeFailureIsTransient } from '../../../src-shared/dicom/store-status';
import { storageAeOf, type DimseRemoteConfig } from '../../../src-shared/remotes';
import { dimseAddressOf } from '../dimse/dimse-address';
import { storeInstances, type StoreOutcome } from '../dimse/store-scu';
import { DimseError } from '../dimse/types';
import type { Sender, SendItem, SendOptions, SentOutcome } from './sender';

/** Store outcomes are written in batches of this many (a transaction per instance would slow sending down). */
const BATCH = 64;

function words(o: StoreOutcome): Omit<SentOutcome, 'sopInstanceUid' | 'bytes'> {
  const comment = 'comment' in o && o.comment ? ` (${o.comment})` : '';
  switch (o.kind) {
    case 'stored':
      return { status: 'stored', code: o.status, text: `${o.text}${comment}${o.reencoded ? ' (sent re-encoded as Implicit VR Little Endian)' : ''}`, retry: false };
    case 'failed':
      return { status: 'failed', code: o.status, text: `${o.text}${comment}`, retry: storeFailureIsTransient(o.status) };
    case 'refused':
      return { status: 'refused', code: null, text: o.text, retry: false };
    case 'file-problem':
      return { status: 'file-changed', code: null, text: o.text, retry: false };
    case 'not-sent':
      return { status: 'not-sent', code: null, text: o.text, retry: true };
  }
}

export class DimseSender implements Sender {
  readonly protocol = 'dimse';
  readonly target: string;

  constructor(private readonly config: DimseRemoteConfig) {
    this.target = `${storageAeOf(config)}@${config.host}:${config.port}`;
  }

  async send(items: readonly SendItem[], o: SendOptions): Promise<void> {
    let batch: SentOutcome[] = [];
    const flush = async () => {
      const b = batch;
      batch = [];
      await o.onOutcomes(b);
    };
    try {
      await storeInstances({
        callingAeTitle: this.config.callingAeTitle,
        // The remote's host, port and DICOM TLS; the storage AE title may differ from its commitment AE.
        called: { ...dimseAddressOf(this.config), aeTitle: storageAeOf(this.config) },
        items: items.map((i) => ({ path: i.file.path, sopClassUid: i.file.sopClassUid, sopInstanceUid: i.file.sopInstanceUid, transferSyntaxUid: i.transferSyntaxUid })),
        timeoutMs: this.config.timeoutSeconds * 1000,
        signal: o.signal,
        onInstance: async (r) => {
          const w = words(r.outcome);
          batch.push({ sopInstanceUid: r.item.sopInstanceUid, ...w, bytes: w.status === 'stored' || w.status === 'failed' ? items[r.index]!.size : 0 });
          if (batch.length >= BATCH) await flush();
        },
      });
    } catch (e) {
      // The first association could not be opened: nothing was sent.
      if (!(e instanceof DimseError)) throw e;
      const text = `not sent: ${e.message}`;
      batch = items.map((i) => ({ sopInstanceUid: i.file.sopInstanceUid, status: 'not-sent', code: null, text, retry: !e.permanent, bytes: 0 }));
    }
    await flush();
  }

  async close(): Promise<void> {}
}
