import path from 'node:path';
import { AppError } from '../../../src-shared/contract/errors';
import type { SafekeepHandlers, Settings } from '../../../src-shared/contract/handlers';
import type { ParsedArgsOf, HandlerName } from '../../../src-shared/contract/schemas';
import type { SafekeepResults } from '../../../src-shared/contract/handlers';
import type { SafekeepCore } from '../app';
import { reportCsvText } from '../report/csv';
import { writeSafeToDelete } from '../report/safe-to-delete';
import { listAudit } from '../audit/read';
import { archiveRefs, checkScope, reportName, reportSummary, reportTimeline } from '../report/summary';

type Impl = { [K in HandlerName]: (args: ParsedArgsOf<K>) => Promise<SafekeepResults[K]> | SafekeepResults[K] };

/**
 * The core's implementation of the contract. Arguments arrive already validated
 * by the bridge (zod schemas of src-shared/contract/schemas.ts).
 */
export function createHandlers(core: SafekeepCore): Impl {
  const settings = async (): Promise<Settings> => {
    const s = await core.settings.get();
    return {
      server: { host: s.server.host, port: s.server.port, url: core.runtime.serverUrl, authEnabled: core.auth.enabled },
      policy: core.currentPolicy().id,
      dimsePolicy: core.dimsePolicy().id,
      policies: await core.listPolicies(),
      retentionDays: s.retentionDays,
      syncWindowSeconds: core.originConfig.syncWindowMs / 1000,
      acceptedSopClasses: s.acceptedSopClasses,
      dimse: { ...s.dimse, listening: core.dimseListener.state().state === 'listening' },
      reportTimeoutMinutes: s.reportTimeoutMinutes,
      dataDir: core.options.dataDir,
      pendingRestart: [...core.runtime.pendingRestart],
    };
  };

  const startScan = (roots: string[]): { scanId: string | null } => {
    if (roots.length === 0) return { scanId: null };
    const p = core.scan(roots);
    p.catch(() => undefined); // the failure is reported through the scan-progress event
    return { scanId: core.currentScan()?.scanId ?? null };
  };

  return {
    'library-summary': async () => ({ ...(await core.library.summary()), roots: await core.library.roots() }),
    'library-scan-state': () => core.currentScan(),
    'library-add-folders': ({ paths }) => startScan(paths),
    'library-rescan': async () => startScan((await core.library.roots()).map((r) => r.path)),
    'library-cancel-scan': () => ({ cancelled: core.cancelScan() }),
    'library-remove-root': ({ path }) => core.removeLibraryRoot(path),
    'library-studies': (a) => core.library.studies(a),
    'library-series': ({ studyUid }) => core.library.series(studyUid),
    'library-instances': ({ seriesUid, limit, offset }) => core.library.instancesOfSeries(seriesUid, { limit, offset }),
    'library-problems': async ({ limit, offset }) => ({ rows: await core.library.problems({ limit, offset }), total: await core.library.problemCount() }),
    'library-count-selection': async ({ selection }) => ({ instances: await core.library.countSelection(selection) }),

    'remotes-list': () => core.remotes.list(),
    'remotes-save': async ({ id, input }) => {
      const v = await core.remotes.save(input, core.clock.now(), id);
      // The first DIMSE remote starts the listener (its reports come back there).
      await core.dimseListener.ensure();
      return v;
    },
    'remotes-delete': async ({ id }) => {
      await core.remotes.delete(id);
      await core.dimseListener.ensure();
      return {};
    },
    'remotes-test': ({ id }) => core.testRemote(id),
    'dimse-listener': () => core.dimseListener.state(),

    'outgoing-create': (a) => core.engine.submit({ remoteId: a.remoteId, selection: a.selection, form: a.form, ...(a.label ? { label: a.label } : {}) }),
    'outgoing-list': (a) =>
      core.outgoing.list({
        limit: a.limit,
        offset: a.offset,
        ...(a.state ? { state: a.state as never } : {}),
        ...(a.remoteId ? { remoteId: a.remoteId } : {}),
        ...(a.jobId ? { jobId: a.jobId } : {}),
      }),
    'outgoing-get': ({ id }) => core.outgoing.get(id),
    'outgoing-instances': ({ id, ...o }) => core.outgoing.instances(id, o),
    'outgoing-cancel': ({ id }) => core.engine.cancel(id),
    'outgoing-resend': ({ id }) => core.engine.resend(id),
    'outgoing-resend-failed': ({ id }) => core.engine.resendFailed(id),
    'outgoing-totals': () => core.outgoing.totals(),

    'incoming-list': (a) => core.incoming.list(a),
    'incoming-get': async ({ transactionUid }) => {
      const t = await core.incoming.get(transactionUid);
      if (!t) throw new AppError('not-found', `No incoming transaction ${transactionUid}`);
      return t;
    },
    'incoming-instances': ({ transactionUid, ...o }) => core.incoming.instances(transactionUid, o),

    'settings-get': () => settings(),
    'settings-update': async (patch) => {
      await core.updateSettings(patch as never);
      await core.dimseListener.ensure();
      return settings();
    },
    'tokens-list': () => core.tokens.list(),
    'audit-list': (a) => listAudit(path.join(core.options.dataDir, 'audit'), a),
    'tokens-create': ({ client }) => core.tokens.create(client, core.clock.now()),
    'tokens-revoke': async ({ id }) => {
      if (!(await core.revokeToken(id))) throw new AppError('not-found', `No active token ${id}`);
      return {};
    },

    'report-archives': () => archiveRefs(core.reportDeps()),
    'report-summary': (scope) => reportSummary(core.reportDeps(), scope),
    'report-studies': async ({ limit, offset, ...scope }) => {
      await checkScope(core.reportDeps(), scope);
      return core.reports.studies(scope, { limit, offset });
    },
    'report-csv': async (scope) => {
      const deps = core.reportDeps();
      await checkScope(deps, scope);
      return { filename: `${await reportName(deps, scope, core.clock.now())}.csv`, ...(await reportCsvText(core.reports.rowBatches(scope))) };
    },
    'report-safe-to-delete': async ({ remoteId }) => {
      const deps = core.reportDeps();
      await checkScope(deps, { remoteId });
      const parts: string[] = [];
      const r = await writeSafeToDelete(core.reports, remoteId, (c) => parts.push(c));
      const archive = (await archiveRefs(deps)).find((a) => a.remoteId === remoteId)!;
      return { filename: `${await reportName(deps, { remoteId }, core.clock.now())}-safe-to-delete.txt`, text: parts.join(''), ...r, archive };
    },
    'report-timeline': ({ jobId, buckets }) => reportTimeline(core.reportDeps(), jobId, buckets),
    'report-instance': ({ sopInstanceUid }) => core.reports.instanceVerdicts(sopInstanceUid),
  };
}

/** The handlers as the contract's type (arguments validated beforehand). */
export type CoreHandlers = Impl;
export type { SafekeepHandlers };
