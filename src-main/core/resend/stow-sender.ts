/** STOW-RS as a Sender: several instances per request to `{stowBaseUrl}/studies`. */
import { stowBaseOf, type DicomwebRemoteConfig } from '../../../src-shared/remotes';
import type { StoreOutcome } from '../../../src-shared/store-outcome';
import type { DicomwebClient } from '../remotes/dicomweb-client';
import { StowClient } from '../remotes/stow';
import type { Sender, SendItem, SendOptions, SentOutcome } from './sender';

function words(o: StoreOutcome): Omit<SentOutcome, 'sopInstanceUid' | 'bytes'> {
  switch (o.kind) {
    case 'stored':
      return { status: 'stored', code: null, text: o.warning ? `stored with a warning: ${o.warning}` : 'stored', retry: false };
    case 'failed':
      return { status: 'failed', code: o.code, text: o.reason, retry: o.transient };
    case 'unconfirmed':
      return { status: 'unconfirmed', code: null, text: o.reason, retry: true };
    case 'not-sent':
      return { status: 'not-sent', code: null, text: o.reason, retry: true };
  }
}

export class StowSender implements Sender {
  readonly protocol = 'dicomweb';
  private readonly stow: StowClient;

  constructor(
    private readonly http: DicomwebClient,
    config: DicomwebRemoteConfig,
  ) {
    this.stow = new StowClient(http, stowBaseOf(config));
  }

  get target(): string {
    return this.stow.url;
  }

  async send(items: readonly SendItem[], o: SendOptions): Promise<void> {
    const byUid = new Map(items.map((i) => [i.file.sopInstanceUid, i]));
    const reported = new Set<string>();
    const outcome = (uid: string, out: StoreOutcome): SentOutcome => {
      const w = words(out);
      return { sopInstanceUid: uid, ...w, bytes: out.kind === 'not-sent' ? 0 : (byUid.get(uid)?.size ?? 0) };
    };
    const result = await this.stow.store(
      items.map((i) => ({ path: i.file.path, sopInstanceUid: i.file.sopInstanceUid, sopClassUid: i.file.sopClassUid, studyUid: i.file.studyUid, seriesUid: i.file.seriesUid })),
      {
        // The files were re-read just before (recheck.ts).
        checkFiles: false,
        signal: o.signal,
        onRequest: async (_summary, outcomes) => {
          const batch = [...outcomes].map(([uid, out]) => outcome(uid, out));
          batch.forEach((b) => reported.add(b.sopInstanceUid));
          await o.onOutcomes(batch);
        },
      },
    );
    // Those no request carried (sending stopped early).
    const rest = [...result.outcomes].filter(([uid]) => !reported.has(uid)).map(([uid, out]) => outcome(uid, out));
    if (rest.length > 0) await o.onOutcomes(rest);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
