import { RemoteInputSchema, type RemoteInput, type RemoteView } from '../../../../src-shared/remotes';

/**
 * A remote being edited, as the form holds it (text for numbers, the secret
 * separate and write-only), and its conversion to the contract's RemoteInput.
 */
export type SecretAction = 'keep' | 'replace' | 'remove';

interface Common {
  name: string;
  timeoutSeconds: string;
  maxInstancesPerRequest: string;
  concurrency: string;
  deadlineHours: string;
}

export interface DicomwebDraft extends Common {
  kind: 'dicomweb';
  baseUrl: string;
  /** "" → the base URL. */
  stowBaseUrl: string;
  qidoBaseUrl: string;
  auth: 'none' | 'bearer' | 'basic';
  username: string;
  caFile: string;
  /** Safekeep's client certificate and key (PEM files on the machine running Safekeep); both or neither. */
  certFile: string;
  keyFile: string;
  insecureSkipVerify: boolean;
  /** A new secret typed by the user (never the stored one: that is never sent to the renderer). */
  secret: string;
  secretAction: SecretAction;
}

export interface DimseDraft extends Common {
  kind: 'dimse';
  aeTitle: string;
  host: string;
  port: string;
  callingAeTitle: string;
  /** "" → the called AE title. */
  storageAeTitle: string;
  /** DICOM TLS toward the archive: its CA file, and Safekeep's client certificate and key if it asks for one. */
  tls: boolean;
  tlsCaFile: string;
  tlsCertFile: string;
  tlsKeyFile: string;
}

export type RemoteDraft = DicomwebDraft | DimseDraft;

export type DraftErrors = Partial<Record<string, string>>;

export function emptyDraft(kind: RemoteDraft['kind']): RemoteDraft {
  return kind === 'dicomweb'
    ? {
        kind,
        name: '',
        baseUrl: '',
        stowBaseUrl: '',
        qidoBaseUrl: '',
        auth: 'bearer',
        username: '',
        caFile: '',
        certFile: '',
        keyFile: '',
        insecureSkipVerify: false,
        secret: '',
        secretAction: 'replace',
        timeoutSeconds: '60',
        maxInstancesPerRequest: '1000',
        concurrency: '4',
        deadlineHours: '24',
      }
    : { kind, name: '', aeTitle: '', host: '', port: '104', callingAeTitle: 'SAFEKEEP', storageAeTitle: '', ...NO_TLS, timeoutSeconds: '30', maxInstancesPerRequest: '1000', concurrency: '2', deadlineHours: '24' };
}

export function draftOf(r: RemoteView): RemoteDraft {
  const c = r.config;
  const common = {
    name: r.name,
    timeoutSeconds: String(c.timeoutSeconds),
    maxInstancesPerRequest: String(c.maxInstancesPerRequest),
    concurrency: String(c.concurrency),
    deadlineHours: String(c.deadlineHours),
  };
  if (r.kind === 'dicomweb') {
    return {
      kind: 'dicomweb',
      ...common,
      baseUrl: r.config.baseUrl,
      stowBaseUrl: r.config.stowBaseUrl ?? '',
      qidoBaseUrl: r.config.qidoBaseUrl ?? '',
      auth: r.config.auth,
      username: r.config.username ?? '',
      caFile: r.config.caFile ?? '',
      certFile: r.config.certFile ?? '',
      keyFile: r.config.keyFile ?? '',
      insecureSkipVerify: r.config.insecureSkipVerify,
      secret: '',
      secretAction: r.hasSecret ? 'keep' : 'replace',
    };
  }
  const t = r.config.tls;
  const tls = t ? { tls: true, tlsCaFile: t.caFile, tlsCertFile: t.certFile ?? '', tlsKeyFile: t.keyFile ?? '' } : NO_TLS;
  return { kind: 'dimse', ...common, aeTitle: r.config.aeTitle, host: r.config.host, port: String(r.config.port), callingAeTitle: r.config.callingAeTitle, storageAeTitle: r.config.storageAeTitle ?? '', ...tls };
}

const NO_TLS = { tls: false, tlsCaFile: '', tlsCertFile: '', tlsKeyFile: '' };

/** "" → null (no file). */
const fileOrNull = (v: string) => v.trim() || null;

/** "" → undefined (the default applies); anything else must be a number. */
function num(v: string, field: string, errors: DraftErrors): number | undefined {
  const t = v.trim();
  if (t === '') return undefined;
  const n = Number(t);
  if (!Number.isFinite(n)) errors[field] = 'Enter a number';
  return n;
}

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The input to save, or the errors per field (checked with the contract's own schema). */
export function draftToInput(d: RemoteDraft, existing: { hasSecret: boolean } | null): { input: RemoteInput | null; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const common = {
    timeoutSeconds: num(d.timeoutSeconds, 'timeoutSeconds', errors),
    maxInstancesPerRequest: num(d.maxInstancesPerRequest, 'maxInstancesPerRequest', errors),
    concurrency: num(d.concurrency, 'concurrency', errors),
    deadlineHours: num(d.deadlineHours, 'deadlineHours', errors),
  };
  let input: RemoteInput;
  if (d.kind === 'dicomweb') {
    let secret: string | null | undefined;
    if (d.auth === 'none') secret = existing?.hasSecret ? null : undefined;
    else if (existing?.hasSecret && d.secretAction === 'keep') secret = undefined;
    else if (existing?.hasSecret && d.secretAction === 'remove') secret = null;
    else if (d.secret === '') errors.secret = d.auth === 'bearer' ? 'Enter the bearer token' : 'Enter the password';
    else secret = d.secret;
    if (d.auth === 'basic' && !d.username.trim()) errors.username = 'Enter the user name';
    if (d.auth !== 'none' && existing?.hasSecret && d.secretAction === 'remove') errors.secret = `${d.auth === 'bearer' ? 'Bearer' : 'Basic'} authentication needs a secret: keep or replace it, or choose no authentication`;
    input = strip({
      kind: 'dicomweb' as const,
      name: d.name,
      config: strip({
        baseUrl: d.baseUrl.trim(),
        stowBaseUrl: d.stowBaseUrl.trim() || undefined,
        qidoBaseUrl: d.qidoBaseUrl.trim() || undefined,
        auth: d.auth,
        username: d.auth === 'basic' ? d.username.trim() : undefined,
        caFile: d.caFile.trim() || null,
        // Absent when empty: a remote without a client certificate is stored as before.
        certFile: fileOrNull(d.certFile) ?? undefined,
        keyFile: fileOrNull(d.keyFile) ?? undefined,
        insecureSkipVerify: d.insecureSkipVerify,
        ...common,
      }),
      secret,
    }) as RemoteInput;
  } else {
    input = {
      kind: 'dimse',
      name: d.name,
      config: strip({
        aeTitle: d.aeTitle,
        host: d.host.trim(),
        port: num(d.port, 'port', errors) as number,
        callingAeTitle: d.callingAeTitle || undefined,
        storageAeTitle: d.storageAeTitle || undefined,
        // Absent: plain TCP (the stored config is replaced as a whole).
        tls: d.tls ? { caFile: d.tlsCaFile.trim(), certFile: fileOrNull(d.tlsCertFile), keyFile: fileOrNull(d.tlsKeyFile) } : undefined,
        ...common,
      }),
    } as RemoteInput;
  }
  const parsed = RemoteInputSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const last = String(issue.path[issue.path.length - 1] ?? 'name');
      // The DIMSE remote's TLS files are fields of their own in the form (tlsCaFile, …).
      const field = issue.path.includes('tls') ? `tls${last.charAt(0).toUpperCase()}${last.slice(1)}` : last;
      errors[field] ??= issue.message.startsWith('Invalid input') && field === 'port' ? 'Enter a port number (1-65535)' : issue.message;
    }
  }
  return Object.keys(errors).length ? { input: null, errors } : { input, errors };
}
