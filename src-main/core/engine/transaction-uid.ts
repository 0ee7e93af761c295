import { randomUUID } from 'node:crypto';

/** A fresh UID under the 2.25 root: "2.25." + a random (version 4) UUID as a decimal integer (PS3.5 §B.2). */
export function newUuidUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}

/** A fresh Transaction UID. */
export const newTransactionUid = newUuidUid;
