import { AppError } from '../../../src-shared/contract/errors';
import { PayloadError } from '../codec/payload-error';

/** Far above any commitment payload (NativeDicomModel > DicomAttribute > Item > DicomAttribute > Value). */
export const MAX_XML_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * A request body as text, strictly: DICOM JSON and the Native DICOM Model are UTF-8 (PS3.18 §8.7.3.2,
 * PS3.19 A.1), so another declared charset is 415, and bytes that are not UTF-8 (a UTF-16 body, a NUL)
 * are 400, as is XML nested deeper than any payload (the XML parser would fail on it with a plain error).
 */
export function payloadText(bytes: ArrayBuffer, contentType: string | undefined, format: 'json' | 'xml'): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AppError('unsupported-media-type', `The charset ${charset.slice(0, 40)} is not supported`, {
      detail: 'Send the body in UTF-8 (charset=utf-8 or no charset)',
      dicomStatus: 0xc000,
    });
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new PayloadError('', 'The body is not valid UTF-8 (UTF-16 and other encodings are not supported)');
  }
  if (text.includes('\u0000')) throw new PayloadError('', 'The body contains NUL characters (is it UTF-16? Send UTF-8)');
  if (format === 'xml') {
    const depth = xmlDepth(text, MAX_XML_DEPTH);
    if (depth > MAX_XML_DEPTH) throw new PayloadError('', `The XML is nested more than ${MAX_XML_DEPTH} elements deep`);
  }
  return text;
}

/** The element nesting depth of an XML text, counting stops once past `stopAt`. */
export function xmlDepth(xml: string, stopAt: number): number {
  const tag = /<(\/?)[A-Za-z_][^>]*?(\/?)>/g;
  let depth = 0;
  let max = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    if (m[1]) depth--;
    else if (!m[2]) max = Math.max(max, ++depth);
    if (max > stopAt) break;
  }
  return max;
}
