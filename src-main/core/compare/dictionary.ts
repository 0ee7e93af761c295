/**
 * The DICOM data dictionary (dcmjs's copy): keywords for messages, and the VR of an attribute
 * read in Implicit VR, where the file does not say it.
 */
import dictionary from 'dcmjs/dictionary';

/** "x00100010" or "00100010" -> "(0010,0010)" */
function key(tag: string): string {
  const t = tag.replace(/^x/i, '').toUpperCase();
  return `(${t.slice(0, 4)},${t.slice(4)})`;
}

function entry(tag: string) {
  const t = tag.replace(/^x/i, '').toUpperCase();
  const group = parseInt(t.slice(0, 4), 16);
  if (group % 2 === 1) return undefined; // private: no standard entry
  const direct = dictionary[key(t)];
  if (direct) return direct;
  // Repeating groups (PS3.6 §7.6): curves and overlays 50xx/60xx are listed under their first group.
  if ((group >= 0x5000 && group <= 0x501e) || (group >= 0x6000 && group <= 0x601e)) {
    return dictionary[key(`${(group & 0xff00).toString(16)}${t.slice(4)}`)];
  }
  return undefined;
}

/** "PatientName", or null for private and unknown tags. */
export function keywordOf(tag: string): string | null {
  const e = entry(tag);
  return e && e.name !== 'Unknown' ? e.name : null;
}

/**
 * The VR an Implicit VR data set has for this tag, as one VR: "OB or OW" is OW (Implicit VR
 * always encodes it so), "US or SS" is US (same size and byte order). Private creators (gggg,00xx)
 * are LO and group lengths UL (PS3.5 §7.8.1, §7.2); null when the dictionary does not know it.
 */
export function dictionaryVr(tag: string): string | null {
  const t = tag.replace(/^x/i, '').toUpperCase();
  const group = parseInt(t.slice(0, 4), 16);
  const element = parseInt(t.slice(4), 16);
  if (element === 0) return 'UL';
  if (group % 2 === 1) return element >= 0x10 && element <= 0xff ? 'LO' : null;
  const vr = entry(t)?.vr;
  if (!vr) return null;
  if (vr === 'ox' || vr === 'OB or OW' || vr === 'OW or OB') return 'OW';
  if (vr === 'xs' || vr === 'US or SS') return 'US';
  if (vr === 'up') return 'UL';
  if (vr === 'lt') return 'OW';
  if (!/^[A-Z]{2}$/.test(vr)) return null;
  return vr;
}
