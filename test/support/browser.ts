import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium); a browser is never downloaded. */
export const CHROMIUM_PATH = process.env.SAFEKEEP_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** `extraArgs`: more command-line switches, e.g. --ignore-certificate-errors-spki-list for a test CA's server. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
