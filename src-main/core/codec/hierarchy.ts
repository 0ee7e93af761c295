import { Tag } from '../../../src-shared/dicom/tags';
import { sqElement, uiElement, usElement, type DatasetReader, type DicomJsonDataset } from './dicom-json';
import type { RequestedInstance } from '../../../src-shared/commitment/model';

/**
 * Groups study-form instances into the
 * Study > Series > Referenced Instances by SOP Class > Referenced Instance tree
 * (PS3.18 Annex J; Failed Study Sequence mirrors it, see spec §11).
 * `extra` adds attributes to each instance item (Failure Reason).
 */
export function buildStudyTree<T extends RequestedInstance>(
  instances: readonly T[],
  extra?: (i: T) => DicomJsonDataset,
): DicomJsonDataset[] {
  const studies = new Map<string, Map<string, Map<string, T[]>>>();
  for (const i of instances) {
    const studyUid = i.studyUid ?? '';
    const seriesUid = i.seriesUid ?? '';
    let series = studies.get(studyUid);
    if (!series) studies.set(studyUid, (series = new Map()));
    let classes = series.get(seriesUid);
    if (!classes) series.set(seriesUid, (classes = new Map()));
    let list = classes.get(i.sopClassUid);
    if (!list) classes.set(i.sopClassUid, (list = []));
    list.push(i);
  }
  const out: DicomJsonDataset[] = [];
  for (const [studyUid, series] of studies) {
    const seriesItems: DicomJsonDataset[] = [];
    for (const [seriesUid, classes] of series) {
      const classItems: DicomJsonDataset[] = [];
      for (const [sopClassUid, list] of classes) {
        classItems.push({
          [Tag.ReferencedSOPClassUID]: uiElement(sopClassUid),
          [Tag.ReferencedInstanceSequence]: sqElement(
            list.map((i) => ({ [Tag.ReferencedSOPInstanceUID]: uiElement(i.sopInstanceUid), ...(extra ? extra(i) : {}) })),
          ),
        });
      }
      seriesItems.push({
        [Tag.SeriesInstanceUID]: uiElement(seriesUid),
        [Tag.ReferencedInstancesBySOPClassSequence]: sqElement(classItems),
      });
    }
    out.push({
      [Tag.StudyInstanceUID]: uiElement(studyUid),
      [Tag.ReferencedSeriesSequence]: sqElement(seriesItems),
    });
  }
  return out;
}

export function failureReasonAttr(reason: number): DicomJsonDataset {
  return { [Tag.FailureReason]: usElement(reason) };
}

export function flatItem(i: RequestedInstance): DicomJsonDataset {
  return {
    [Tag.ReferencedSOPClassUID]: uiElement(i.sopClassUid),
    [Tag.ReferencedSOPInstanceUID]: uiElement(i.sopInstanceUid),
  };
}

/**
 * Walks a Study > Series > SOP Class > Instance tree of a request or response.
 * `withReason` reads Failure Reason (0008,1197) from each instance item.
 * `where` is the instance item's reader, which names it (lazily) in duplicate messages.
 */
export function readStudyTree(
  root: DatasetReader,
  tag: string,
  sink: (i: RequestedInstance, reason: number, where: DatasetReader) => void,
  withReason: boolean,
): void {
  for (const study of root.sequence(tag, false)) {
    const studyUid = study.uid(Tag.StudyInstanceUID);
    for (const series of study.sequence(Tag.ReferencedSeriesSequence, true)) {
      const seriesUid = series.uid(Tag.SeriesInstanceUID);
      for (const byClass of series.sequence(Tag.ReferencedInstancesBySOPClassSequence, true)) {
        const sopClassUid = byClass.uid(Tag.ReferencedSOPClassUID);
        for (const inst of byClass.sequence(Tag.ReferencedInstanceSequence, true)) {
          sink(
            { form: 'study', studyUid, seriesUid, sopClassUid, sopInstanceUid: inst.uid(Tag.ReferencedSOPInstanceUID) },
            withReason ? inst.us(Tag.FailureReason) : 0,
            inst,
          );
        }
      }
    }
  }
}
