import { z } from 'zod';

/**
 * TLS settings as file paths (PEM): Safekeep's own certificate for its listeners, and a CA plus an optional
 * client certificate per remote. Only paths travel through the contract; the key material stays on disk.
 */
const file = z.string().trim().min(1).max(4096);

/** Both a certificate and its key, or neither. */
export function certAndKeyTogether(t: { certFile?: string | null | undefined; keyFile?: string | null | undefined }): boolean {
  return !t.certFile === !t.keyFile;
}
export const CERT_AND_KEY_TOGETHER = { message: 'Give the client certificate and its private key together', path: ['keyFile'] };

/** Safekeep's listeners (origin server, app, DICOM listener) speak TLS only with this; caFile: client certificates required. */
export const ServerTlsSchema = z.object({
  certFile: file,
  keyFile: file,
  /** Clients (HTTP and DICOM) must present a certificate signed by this CA. */
  caFile: file.nullable().default(null),
});

/** DICOM TLS toward a DIMSE remote: its CA, and Safekeep's client certificate when the archive asks for one. */
export const DimseTlsSchema = z
  .object({
    caFile: file,
    certFile: file.nullable().default(null),
    keyFile: file.nullable().default(null),
  })
  .refine(certAndKeyTogether, CERT_AND_KEY_TOGETHER);

export type ServerTlsFiles = z.infer<typeof ServerTlsSchema>;
export type DimseTlsFiles = z.infer<typeof DimseTlsSchema>;
