import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { PayloadError } from './payload-error';
import { isPlainObject, type DicomJsonDataset, type DicomJsonElement } from './dicom-json';
import { KEYWORD_OF } from '../../../src-shared/dicom/tags';

/**
 * The Native DICOM Model (PS3.19 Annex A) <-> DICOM JSON Model (PS3.18 Annex F),
 * for the elements the commitment payloads use (SQ, UI, US, AE and other string
 * or numeric VRs). Parsing produces the same data set the JSON path would, so
 * one validator serves both media types.
 */
const NUMERIC_VRS = new Set(['US', 'UL', 'SS', 'SL', 'FL', 'FD', 'IS', 'DS', 'SV', 'UV']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Entities are not needed by the model; not expanding them avoids entity-expansion attacks.
  processEntities: false,
  isArray: (name) => name === 'DicomAttribute' || name === 'Item' || name === 'Value',
});

type XmlNode = Record<string, unknown>;

export function parseNativeXml(text: string): DicomJsonDataset {
  if (/<!DOCTYPE/i.test(text)) throw new PayloadError('', 'XML payloads with a DOCTYPE are not accepted');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new PayloadError('', `The XML payload is not well-formed: ${valid.err.msg} (line ${valid.err.line})`);
  const doc = parser.parse(text) as XmlNode;
  const root = doc.NativeDicomModel;
  if (root === undefined) throw new PayloadError('', 'The XML payload has no NativeDicomModel root element');
  return readDataset(isPlainObject(root) ? root : {}, '');
}

function readDataset(node: XmlNode, path: string): DicomJsonDataset {
  const ds: DicomJsonDataset = {};
  for (const attr of (node.DicomAttribute as XmlNode[] | undefined) ?? []) {
    const tag = String(attr['@tag'] ?? '').toUpperCase();
    const here = path ? `${path} > DicomAttribute ${tag}` : `DicomAttribute ${tag}`;
    if (!/^[0-9A-F]{8}$/.test(tag)) throw new PayloadError(here, 'has no valid "tag" attribute (8 hex digits)');
    const vr = String(attr['@vr'] ?? '');
    if (!/^[A-Z]{2}$/.test(vr)) throw new PayloadError(here, 'has no valid "vr" attribute');
    ds[tag] = readElement(attr, vr, here);
  }
  return ds;
}

function readElement(attr: XmlNode, vr: string, path: string): DicomJsonElement {
  if (vr === 'SQ') {
    const items = ((attr.Item as unknown[] | undefined) ?? []).map((it) => (isPlainObject(it) ? it : {}));
    const sorted = sortByNumber(items, path, 'Item');
    return { vr, Value: sorted.map((it, i) => readDataset(it, `${path} Item ${i + 1}`)) };
  }
  const values = ((attr.Value as unknown[] | undefined) ?? []).map((v) => (isPlainObject(v) ? v : { '#text': v }));
  const sorted = sortByNumber(values, path, 'Value');
  if (sorted.length === 0) return { vr };
  return {
    vr,
    Value: sorted.map((v) => {
      const text = String(v['#text'] ?? '');
      if (!NUMERIC_VRS.has(vr)) return text;
      const n = Number(text);
      if (text === '' || Number.isNaN(n)) throw new PayloadError(path, `Value "${text}" is not a number`);
      return n;
    }),
  };
}

function sortByNumber(nodes: XmlNode[], path: string, what: string): XmlNode[] {
  return nodes
    .map((n, i) => {
      const raw = n['@number'];
      const num = raw === undefined ? i + 1 : Number(raw);
      if (!Number.isInteger(num) || num < 1) throw new PayloadError(path, `${what} has an invalid "number" attribute`);
      return { n, num };
    })
    .sort((a, b) => a.num - b.num)
    .map((x) => x.n);
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  format: false,
  suppressEmptyNode: true,
  processEntities: true,
});

export function buildNativeXml(ds: DicomJsonDataset): string {
  const body = builder.build({
    NativeDicomModel: { '@xmlns': 'http://dicom.nema.org/PS3.19/models/NativeDICOM', ...toXmlDataset(ds) },
  }) as string;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

function toXmlDataset(ds: DicomJsonDataset): XmlNode {
  const attrs = Object.keys(ds)
    .sort()
    .map((tag) => {
      const el = ds[tag]!;
      const node: XmlNode = { '@tag': tag, '@vr': el.vr };
      const keyword = KEYWORD_OF[tag];
      if (keyword) node['@keyword'] = keyword;
      const values = el.Value ?? [];
      if (el.vr === 'SQ') {
        node.Item = values.map((item, i) => ({ '@number': String(i + 1), ...toXmlDataset(item as DicomJsonDataset) }));
      } else {
        node.Value = values.map((v, i) => ({ '@number': String(i + 1), '#text': String(v) }));
      }
      return node;
    });
  return attrs.length > 0 ? { DicomAttribute: attrs } : {};
}
