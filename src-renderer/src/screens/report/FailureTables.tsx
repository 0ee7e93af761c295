import { hex4 } from '../../../../src-shared/dicom/failure-reasons';
import type { ReportSummary } from '../../../../src-shared/report';
import { formatCount } from '../../ui/format';

/** Failure reasons (by code, or by their whole text) and the failed instances (the first 10,000). */
export function FailureTables({ data }: { data: ReportSummary }) {
  return (
    <>
      {data.failureReasons.length > 0 && (
        <>
          <h2>Failure reasons</h2>
          <table className="table report-reasons">
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Meaning</th>
                <th scope="col">Instances</th>
              </tr>
            </thead>
            <tbody>
              {data.failureReasons.map((r) => (
                <tr key={`${r.code}|${r.meaning}`}>
                  <td className="mono">{r.code === null ? '—' : hex4(r.code)}</td>
                  <td>{r.meaning}</td>
                  <td>{formatCount(r.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {data.failed.length > 0 && (
        <>
          <h2>
            Failed instances
            {data.failed.length < data.totals.failed && ` (first ${formatCount(data.failed.length)} of ${formatCount(data.totals.failed)}; the CSV has all)`}
          </h2>
          <table className="table report-failed">
            <thead>
              <tr>
                <th scope="col">SOP Instance UID</th>
                <th scope="col">Reason</th>
                <th scope="col">File</th>
                <th scope="col">Study Instance UID</th>
              </tr>
            </thead>
            <tbody>
              {data.failed.map((f) => (
                <tr key={`${f.transactionUid}|${f.sopInstanceUid}`}>
                  <td className="mono">{f.sopInstanceUid}</td>
                  <td className="text-bad">{f.reason}</td>
                  <td className="mono">{f.filePath ?? ''}</td>
                  <td className="mono">{f.studyUid ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
