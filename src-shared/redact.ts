/**
 * Hides the password of every URL in a text ("https://user:secret@host/" -> "https://user:***@host/"), for
 * everything printed or logged. User info without a password is kept: it is not a secret, and in
 * dicom://AET@host:port it is the AE title.
 */
export function redactUrls(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:"'<>]*):([^\s/?#@"'<>]*)@/gi, (_, scheme: string, user: string) => `${scheme}${user}:***@`);
}
