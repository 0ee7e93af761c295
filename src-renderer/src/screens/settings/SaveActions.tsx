/** The submit button of a settings form ("Save DIMSE settings"), disabled while it saves. */
export function SaveActions({ label, pending }: { label: string; pending: boolean }) {
  return (
    <div className="form-actions">
      <button type="submit" className="btn btn-primary" disabled={pending}>
        {label}
      </button>
    </div>
  );
}
