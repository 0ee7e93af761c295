/**
 * Safekeep's TLS: the BCP 195 profile of DICOM PS3.15 (Annex B, "Non-Downgrading BCP 195 TLS Secure Transport
 * Connection Profile") for every listener and every DICOM TLS association, and the key material read from
 * the PEM files the settings name.
 *
 * The profile: TLS 1.2 or later, and in TLS 1.2 only the AEAD suites with forward secrecy that BCP 195
 * (RFC 7525 §4.2, RFC 9325) recommends; no renegotiation down to weaker suites. TLS 1.3 suites are all AEAD.
 */
import fs from 'node:fs';
import type tls from 'node:tls';
import { AppError } from '../../../src-shared/contract/errors';
import type { DimseTlsFiles, ServerTlsFiles } from '../../../src-shared/tls';

export const TLS_MIN_VERSION = 'TLSv1.2' as const;

/** OpenSSL names of the TLS 1.2 suites of the profile (ECDSA variants for EC keys), then the TLS 1.3 ones. */
export const BCP195_CIPHERS = [
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
].join(':');

/** The profile's part of every TLS context, server or client. */
const PROFILE = { minVersion: TLS_MIN_VERSION, ciphers: BCP195_CIPHERS, honorCipherOrder: true } as const;

/** How long a connection may take to finish its TLS handshake (the DICOM listener's ARTIM is 30 s too). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 30_000;

function readPem(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new AppError('bad-request', `Cannot read the ${what} ${file}: ${code}`);
  }
}

/**
 * The options of a TLS listener: Safekeep's certificate and key; with a CA, a client certificate signed by
 * it is required (the handshake fails without one). Throws a clear AppError naming an unreadable file.
 */
export function serverTlsOptions(files: ServerTlsFiles): tls.TlsOptions {
  const options: tls.TlsOptions = {
    ...PROFILE,
    cert: readPem(files.certFile, 'TLS certificate'),
    key: readPem(files.keyFile, 'TLS private key'),
    handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
  };
  if (files.caFile) Object.assign(options, { ca: readPem(files.caFile, 'client CA file'), requestCert: true, rejectUnauthorized: true });
  return options;
}

/** Options of a DICOM TLS association Safekeep opens: the peer's CA, and Safekeep's client certificate if given. */
export function clientTlsOptions(files: DimseTlsFiles): tls.ConnectionOptions {
  const options: tls.ConnectionOptions = { ...PROFILE, ca: readPem(files.caFile, 'CA file') };
  if (files.certFile && files.keyFile) Object.assign(options, { cert: readPem(files.certFile, 'client certificate'), key: readPem(files.keyFile, 'client private key') });
  return options;
}

/**
 * Safekeep as a client with its own listener's identity (reports to DIMSE peers on a new association): its
 * certificate as the client certificate, and the listener's client CA as the trust anchor for the peer.
 */
export function clientTlsFromServer(server: tls.TlsOptions): tls.ConnectionOptions {
  return { ...PROFILE, cert: server.cert, key: server.key, ...(server.ca ? { ca: server.ca } : {}) };
}
