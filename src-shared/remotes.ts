import { z } from 'zod';
import { CERT_AND_KEY_TOGETHER, DimseTlsSchema, certAndKeyTogether } from './tls';

/**
 * Remote archives Safekeep verifies against. Secrets (tokens, passwords) travel
 * only inward: a RemoteView says whether a secret is set, never what it is.
 */
export const AE_TITLE = z
  .string()
  .regex(/^[\x20-\x5b\x5d-\x7e]{1,16}$/, 'An AE title is 1 to 16 printable characters without backslash')
  .refine((s) => s.trim().length > 0, 'An AE title cannot be only spaces');

const hours = (def: number) => z.number().positive().max(24 * 365).default(def);

/** An absolute http(s) URL without trailing slashes. */
const httpUrl = (what: string) =>
  z
    .string()
    .url(`The ${what} must be an absolute http(s) URL, e.g. http://archive:8080/dicomweb`)
    .refine((u) => /^https?:\/\//i.test(u), `The ${what} must start with http:// or https://`)
    .transform((u) => u.replace(/\/+$/, ''));

export const DicomwebRemoteConfigSchema = z.object({
  baseUrl: httpUrl('base URL'),
  /** Where missing instances are stored (STOW-RS `{stowBaseUrl}/studies`); absent: the base URL. */
  stowBaseUrl: httpUrl('STOW-RS base URL').optional(),
  /** Where the archive's own listing is read (QIDO-RS `{qidoBaseUrl}/studies/{study}/instances`); absent: the base URL. */
  qidoBaseUrl: httpUrl('QIDO-RS base URL').optional(),
  auth: z.enum(['none', 'bearer', 'basic']).default('none'),
  /** For basic authentication; the password is the secret. */
  username: z.string().max(256).optional(),
  caFile: z.string().min(1).nullable().default(null),
  /** Safekeep's client certificate and key (PEM files) for an archive that asks for one (hospital PKI). */
  certFile: z.string().trim().min(1).nullable().optional(),
  keyFile: z.string().trim().min(1).nullable().optional(),
  /** Explicit opt-in: accept any certificate. Marked unsafe wherever it is shown. */
  insecureSkipVerify: z.boolean().default(false),
  timeoutSeconds: z.number().positive().max(3600).default(60),
  maxInstancesPerRequest: z.number().int().min(1).max(1_000_000).default(1000),
  concurrency: z.number().int().min(1).max(64).default(4),
  /** A request Working longer than this is marked timed out. */
  deadlineHours: hours(24),
}).refine(certAndKeyTogether, CERT_AND_KEY_TOGETHER);

export const DimseRemoteConfigSchema = z.object({
  aeTitle: AE_TITLE,
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  /** Safekeep's own AE title on associations to this archive (the archive must know it). */
  callingAeTitle: AE_TITLE.default('SAFEKEEP'),
  /** The AE that takes C-STOREs of missing instances, on the same host and port; absent: aeTitle. */
  storageAeTitle: AE_TITLE.optional(),
  timeoutSeconds: z.number().positive().max(3600).default(30),
  maxInstancesPerRequest: z.number().int().min(1).max(1_000_000).default(1000),
  concurrency: z.number().int().min(1).max(64).default(2),
  /** How long to wait for the N-EVENT-REPORT before marking the request timed out. */
  deadlineHours: hours(24),
  /** DICOM TLS (PS3.15 BCP 195 profile) on every association to this archive; null: plain TCP. */
  tls: DimseTlsSchema.nullable().optional(),
});

export type DicomwebRemoteConfig = z.infer<typeof DicomwebRemoteConfigSchema>;
export type DimseRemoteConfig = z.infer<typeof DimseRemoteConfigSchema>;

/** The STOW-RS base URL of a DICOMweb remote (its own setting, else the base URL). */
export const stowBaseOf = (c: DicomwebRemoteConfig): string => c.stowBaseUrl ?? c.baseUrl;
/** The QIDO-RS base URL of a DICOMweb remote (its own setting, else the base URL). */
export const qidoBaseOf = (c: DicomwebRemoteConfig): string => c.qidoBaseUrl ?? c.baseUrl;
/** The AE title C-STOREs go to (the storage AE when configured, else the remote's AE). */
export const storageAeOf = (c: DimseRemoteConfig): string => c.storageAeTitle ?? c.aeTitle;

export const RemoteNameSchema = z.string().trim().min(1, 'A remote needs a name').max(100);

export const RemoteInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('dicomweb'),
    name: RemoteNameSchema,
    config: DicomwebRemoteConfigSchema,
    /** undefined: keep the stored secret; null: remove it; string: replace it. */
    secret: z.string().min(1).max(4096).nullable().optional(),
  }),
  z.object({
    kind: z.literal('dimse'),
    name: RemoteNameSchema,
    config: DimseRemoteConfigSchema,
    secret: z.null().optional(),
  }),
]);

export type RemoteInput = z.input<typeof RemoteInputSchema>;
export type RemoteInputParsed = z.output<typeof RemoteInputSchema>;

/** The outcome of a remote's last Test (stored; null until it was tested). */
export interface RemoteLastTest {
  ok: boolean;
  message: string;
  at: number;
}

interface RemoteViewBase {
  id: number;
  name: string;
  createdAt: number;
  updatedAt: number;
  /** Absent in views built before the remote was stored with it (tests, older clients). */
  lastTest?: RemoteLastTest | null;
}

export type RemoteView =
  | (RemoteViewBase & { kind: 'dicomweb'; config: DicomwebRemoteConfig; hasSecret: boolean })
  | (RemoteViewBase & { kind: 'dimse'; config: DimseRemoteConfig; hasSecret: false });

export interface RemoteTestResult {
  ok: boolean;
  /** What was tried and what happened, in words (e.g. "HTTP 401 from http://…: The bearer token is not valid"). */
  message: string;
  elapsedMs: number;
}
