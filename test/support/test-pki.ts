/**
 * Test support: a small PKI made with the real `openssl` for TLS tests — a test CA, a server certificate for
 * 127.0.0.1/localhost, client certificates signed by the CA, and a second ("rogue") CA with its own client
 * certificate that a server trusting only the first CA must refuse.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface CertPair {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  /** The test CA's certificate (PEM path). */
  ca: string;
  /** CN=127.0.0.1, SAN IP:127.0.0.1 and DNS:localhost, signed by the CA. */
  server: CertPair;
  /** A client certificate signed by the CA. */
  client: CertPair;
  /** A client certificate signed by another CA, unknown to every server here. */
  rogue: CertPair;
  /** base64 SHA-256 of the server key's SubjectPublicKeyInfo (Chromium's --ignore-certificate-errors-spki-list). */
  serverSpki: string;
  /** Another certificate signed by the CA, e.g. for a second server (Orthanc). */
  issue(name: string, cn?: string): CertPair;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });

function selfSignedCa(dir: string, name: string): CertPair {
  const pair = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', pair.key, '-out', pair.cert, '-days', '2', '-subj', `/CN=Safekeep test ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return pair;
}

function signed(dir: string, ca: CertPair, name: string, cn: string): CertPair {
  const pair = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  // Server and client use both: Orthanc and Safekeep are SCP and SCU with one certificate.
  fs.writeFileSync(ext, ['basicConstraints=CA:FALSE', 'keyUsage=digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth,clientAuth', 'subjectAltName=IP:127.0.0.1,DNS:localhost'].join('\n'));
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', pair.key, '-out', csr, '-subj', `/CN=${cn}`]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', pair.cert, '-days', '2', '-extfile', ext]);
  return pair;
}

export function makeTestPki(dir: string): TestPki {
  fs.mkdirSync(dir, { recursive: true });
  const ca = selfSignedCa(dir, 'ca');
  const rogueCa = selfSignedCa(dir, 'rogue-ca');
  const server = signed(dir, ca, 'server', '127.0.0.1');
  const spki = crypto.createPublicKey(fs.readFileSync(server.key)).export({ type: 'spki', format: 'der' });
  return {
    dir,
    ca: ca.cert,
    server,
    client: signed(dir, ca, 'client', 'safekeep test client'),
    rogue: signed(dir, rogueCa, 'rogue', 'rogue client'),
    serverSpki: crypto.createHash('sha256').update(spki).digest('base64'),
    issue: (name, cn = name) => signed(dir, ca, name, cn),
  };
}
