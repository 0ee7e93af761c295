import { z } from 'zod';
import { AUDIT_EVENT_NAMES } from '../audit';
import { RemoteInputSchema, AE_TITLE } from '../remotes';
import { ServerTlsSchema } from '../tls';

/**
 * Argument schemas of every handler: both bridges (HTTP and IPC) validate with
 * these before a call reaches the core, so bad input gets a clear error.
 */
const page = { limit: z.number().int().min(1).max(100_000).default(200), offset: z.number().int().min(0).default(0) };
const uid = z.string().regex(/^[0-9.]{1,64}$/, 'Not a UID');
const id = z.number().int().positive();
const empty = z.object({}).strict();

export const SelectionSchema = z
  .object({
    studies: z.array(uid).max(100_000).optional(),
    series: z.array(uid).max(100_000).optional(),
    instances: z.array(uid).max(1_000_000).optional(),
    // The CLI passes what the shell expanded (`safekeep commit /data/*`).
    paths: z.array(z.string().min(1)).max(100_000).optional(),
  })
  .strict();

export const OUTCOMES = ['pending', 'committed', 'failed'] as const;

/** What a report covers (see ReportScope): an archive's verdicts, a job, or requests. */
const reportScope = { remoteId: id.optional(), jobId: id.optional(), requestIds: z.array(id).min(1).max(100_000).optional() };
const oneScope = [(s: { jobId?: number; requestIds?: number[] }) => s.jobId === undefined || s.requestIds === undefined, 'Give a job or requests, not both'] as const;

export const SettingsPatchSchema = z
  .object({
    policy: z.string().min(1).optional(),
    dimsePolicy: z.string().min(1).optional(),
    retentionDays: z.number().positive().max(3650).optional(),
    syncWindowSeconds: z.number().min(0).max(600).optional(),
    reportTimeoutMinutes: z.number().positive().max(7 * 24 * 60).optional(),
    auditSyslog: z
      .object({
        url: z.string().regex(/^(udp|tls):\/\/([^/:\s]+|\[[0-9a-fA-F:.]+\])(:\d{1,5})?\/?$/, 'A syslog collector: udp://host:514 or tls://host:6514'),
        caFile: z.string().min(1).max(4096).nullable(),
      })
      .strict()
      .nullable()
      .optional(),
    acceptedSopClasses: z.array(uid).nullable().optional(),
    server: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(0).max(65535),
        allowedHosts: z.array(z.string().trim().toLowerCase().regex(/^(\*\.)?[a-z0-9.:[\]-]{1,253}$/, 'A host name, e.g. safekeep.example.org or *.example.org')).max(100),
      })
      .partial()
      .optional(),
    dimse: z
      .object({
        aeTitle: AE_TITLE,
        host: z.string().trim().min(1, 'Enter a listen address, e.g. 127.0.0.1 or 0.0.0.0').max(255),
        port: z.number().int().min(0).max(65535),
        peers: z.array(z.object({ aeTitle: AE_TITLE, host: z.string().min(1), port: z.number().int().min(1).max(65535) })).max(1000),
      })
      .partial()
      .optional(),
    /** Safekeep's certificate for its listeners (applies at the next start); null: plain TCP. */
    tls: ServerTlsSchema.nullable().optional(),
  })
  .strict();

export const ArgSchemas = {
  'library-summary': empty,
  'library-scan-state': empty,
  'library-add-folders': z.object({ paths: z.array(z.string().min(1)).min(1).max(1000) }).strict(),
  /** Scans and waits for the end (progress: scan-progress events); what the scan found below these folders. */
  'library-scan': z.object({ paths: z.array(z.string().min(1)).min(1).max(100_000) }).strict(),
  'library-rescan': empty,
  'library-cancel-scan': empty,
  'library-remove-root': z.object({ path: z.string().min(1) }).strict(),
  'library-studies': z.object({ search: z.string().max(200).optional(), ...page }).strict(),
  'library-series': z.object({ studyUid: uid }).strict(),
  'library-instances': z.object({ seriesUid: uid, ...page }).strict(),
  'library-problems': z.object({ ...page }).strict(),
  'library-count-selection': z.object({ selection: SelectionSchema }).strict(),

  'remotes-list': empty,
  'remotes-save': z.object({ id: id.optional(), input: RemoteInputSchema }).strict(),
  'remotes-delete': z.object({ id }).strict(),
  'remotes-test': z.object({ id }).strict(),
  /** A remote by its name, or by its address (DICOMweb base URL, dicom://AET@host:port or AET@host:port). */
  'remotes-find': z
    .object({ name: z.string().min(1).optional(), address: z.string().min(1).optional() })
    .strict()
    .refine((a) => (a.name === undefined) !== (a.address === undefined), 'Give a name or an address (one of them)'),
  'dimse-listener': empty,

  'outgoing-create': z
    .object({ remoteId: id, selection: SelectionSchema, form: z.enum(['flat', 'study']).default('study'), label: z.string().max(200).optional() })
    .strict(),
  'outgoing-list': z
    .object({ ...page, state: z.string().optional(), remoteId: id.optional(), jobId: id.optional() })
    .strict(),
  'outgoing-get': z.object({ id }).strict(),
  /** By its Transaction UID, or one it had before a resend (null: none). */
  'outgoing-find': z.object({ transactionUid: uid }).strict(),
  /** Every request not in a final state. */
  'outgoing-active': empty,
  /**
   * The requests with what is happening to each now, and whether `until` holds for all: 'final' (each has its
   * final answer), 'answered' (final, or a DIMSE report overdue by the report timeout), 'accepted' (sent, past the POST).
   */
  'outgoing-progress': z.object({ requestIds: z.array(id).max(100_000), until: z.enum(['final', 'answered', 'accepted']).default('final') }).strict(),
  'outgoing-instances': z
    .object({ id, ...page, outcome: z.enum(OUTCOMES).optional(), failureReason: z.number().int().min(0).max(0xffff).optional() })
    .strict(),
  'outgoing-cancel': z.object({ id }).strict(),
  'outgoing-resend': z.object({ id }).strict(),
  /** `exclude`: instances not to ask again (a later request of the job asked for them already). */
  'outgoing-resend-failed': z.object({ id, exclude: z.array(uid).max(1_000_000).optional() }).strict(),
  'outgoing-totals': empty,

  /**
   * Stores on the archive the instances of the selection whose verdict is failed with 0112H or 0110H, then asks
   * for commitment again for exactly those, round after round (progress: resend-progress events); what happened.
   */
  'migration-send-missing': z.object({ remoteId: id, selection: SelectionSchema, rounds: z.number().int().min(1).max(20).default(3) }).strict(),
  /** Stops the archive's send-missing run (what is stored and asked so far stays). */
  'migration-cancel': z.object({ remoteId: id }).strict(),
  /** Each local study of the selection beside the archive's own listing (C-FIND or QIDO-RS) and the verdicts. */
  'migration-compare': z.object({ remoteId: id, selection: SelectionSchema }).strict(),
  /**
   * Retrieves the archive's copy of the selection's committed instances (all, or a random share in percent with at
   * least one per series) and compares each with the local file (progress: content-progress events); what happened.
   * `afterRequestIds`: first wait until each of these requests (the Verify dialog's new job) has its final answer.
   */
  'migration-verify-content': z
    .object({
      remoteId: id,
      selection: SelectionSchema,
      sample: z.union([z.literal('all'), z.number().gt(0).max(100)]),
      afterRequestIds: z.array(id).max(100_000).optional(),
    })
    .strict(),
  /** The archive's latest content check (counts and the instances not plainly the same), or null. */
  'migration-content-result': z.object({ remoteId: id }).strict(),

  'incoming-list': z.object({ ...page, state: z.enum(['working', 'done', 'expired']).optional(), source: z.enum(['dicomweb', 'dimse']).optional() }).strict(),
  'incoming-get': z.object({ transactionUid: uid }).strict(),
  'incoming-instances': z
    .object({ transactionUid: uid, ...page, outcome: z.enum(OUTCOMES).optional(), failureReason: z.number().int().min(0).max(0xffff).optional() })
    .strict(),

  'settings-get': empty,
  'settings-update': SettingsPatchSchema,
  /** postgres://user:password@host:port/database, or null for SQLite in the data folder (applies at the next start). */
  'settings-database': z
    .object({
      url: z.string().trim().min(1).max(2000).nullable(),
      /** Copy this data folder's SQLite history into the database at the next start (it must be empty then). */
      importHistory: z.boolean().optional(),
    })
    .strict()
    .refine((a) => !a.importHistory || a.url !== null, { message: 'importHistory: name the PostgreSQL database to copy the history into', path: ['importHistory'] }),
  'audit-list': z
    .object({
      since: z.number().int().min(0).optional(),
      event: z.enum(AUDIT_EVENT_NAMES).optional(),
      search: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(5000).default(500),
    })
    .strict(),
  'nodes-list': empty,
  'tokens-list': empty,
  'tokens-create': z.object({ client: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'A client name is 1-64 letters, digits, . _ @ -') }).strict(),
  'tokens-revoke': z.object({ id }).strict(),

  'report-archives': empty,
  'report-summary': z.object(reportScope).strict().refine(...oneScope),
  'report-studies': z.object({ ...reportScope, ...page }).strict().refine(...oneScope),
  'report-csv': z.object(reportScope).strict().refine(...oneScope),
  'report-safe-to-delete': z.object({ remoteId: id }).strict(),
  'report-timeline': z.object({ jobId: id, buckets: z.number().int().min(2).max(500).default(60) }).strict(),
  'report-instance': z.object({ sopInstanceUid: uid }).strict(),
  /** The failed instances of a scope counted by reason (the code, or the whole text when the archive gave none). */
  'report-failure-reasons': z.object(reportScope).strict().refine(...oneScope),
  /** An archive by name, DICOMweb base URL, dicom://AET@host:port, or the "cli: URL" name `commit --to` gives it. */
  'report-find-archive': z.object({ text: z.string().min(1).max(2000) }).strict(),
  /** Writes the report CSV to a file on the machine running the core (HOST_ONLY_HANDLERS). */
  'report-csv-file': z
    // No request at all (`resume --report` with nothing in flight) is a report of just the header row.
    .object({ ...reportScope, requestIds: z.array(id).max(100_000).optional(), path: z.string().min(1) })
    .strict()
    .refine(...oneScope),
  /** Writes the safe-to-delete list to a file on the machine running the core (HOST_ONLY_HANDLERS). */
  'report-safe-to-delete-file': z.object({ remoteId: id, path: z.string().min(1) }).strict(),
} as const;

export type HandlerName = keyof typeof ArgSchemas;

/**
 * Handlers that write files by path on the machine that runs the core. The CLI (in-process) and the
 * desktop window (whose user owns that machine) may call them; the HTTP bridge refuses them, so that a
 * browser user cannot write to the server's disk.
 */
export const HOST_ONLY_HANDLERS: ReadonlySet<HandlerName> = new Set<HandlerName>(['report-csv-file', 'report-safe-to-delete-file']);
export type ArgsOf<K extends HandlerName> = z.input<(typeof ArgSchemas)[K]>;
export type ParsedArgsOf<K extends HandlerName> = z.output<(typeof ArgSchemas)[K]>;
