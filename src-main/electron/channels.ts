/** IPC channel names shared by the main process and the preload (nothing else crosses). */
export const CHANNEL = {
  send: 'safekeep:send',
  event: 'safekeep:event',
  printToPdf: 'safekeep:print-to-pdf',
} as const;
