import { hex4 } from '../../../../src-shared/dicom/failure-reasons';
import type { ReportSummary } from '../../../../src-shared/report';
import { formatCount } from '../../ui/format';
import { SimpleTable } from '../../ui/SimpleTable';

/** Failure reasons (by code, or by their whole text) and the failed instances (the first 10,000). */
export function FailureTables({ data }: { data: ReportSummary }) {
  return (
    <>
      {data.failureReasons.length > 0 && (
        <>
          <h2>Failure reasons</h2>
          <SimpleTable className="report-reasons" headers={['Code', 'Meaning', 'Instances']}>
            {data.failureReasons.map((r) => (
              <tr key={`${r.code}|${r.meaning}`}>
                <td className="mono">{r.code === null ? '—' : hex4(r.code)}</td>
                <td>{r.meaning}</td>
                <td>{formatCount(r.count)}</td>
              </tr>
            ))}
          </SimpleTable>
        </>
      )}
      {data.failed.length > 0 && (
        <>
          <h2>
            Failed instances
            {data.failed.length < data.totals.failed && ` (first ${formatCount(data.failed.length)} of ${formatCount(data.totals.failed)}; the CSV has all)`}
          </h2>
          <SimpleTable className="report-failed" headers={['SOP Instance UID', 'Reason', 'File', 'Study Instance UID']}>
            {data.failed.map((f) => (
              <tr key={`${f.transactionUid}|${f.sopInstanceUid}`}>
                <td className="mono">{f.sopInstanceUid}</td>
                <td className="text-bad">{f.reason}</td>
                <td className="mono">{f.filePath ?? ''}</td>
                <td className="mono">{f.studyUid ?? ''}</td>
              </tr>
            ))}
          </SimpleTable>
        </>
      )}
    </>
  );
}
