import { randomUUID } from 'node:crypto';

/** A fresh Transaction UID: "2.25." + a random (version 4) UUID as a decimal integer (PS3.5 §B.2). */
export function newTransactionUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}
