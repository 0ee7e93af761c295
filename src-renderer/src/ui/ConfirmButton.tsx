import { useState, type ReactNode } from 'react';
import { errorText } from '../api/api-error';
import { Modal } from './Modal';

/**
 * A button for a destructive or irreversible action: it asks first, says what will
 * happen, and shows the error if the action fails.
 */
export function ConfirmButton({
  children,
  title,
  message,
  confirmLabel,
  onConfirm,
  disabled,
  className,
  ariaLabel,
}: {
  children: ReactNode;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown> | unknown;
  disabled?: boolean;
  className?: string;
  ariaLabel?: string;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setOpen(false);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className={className ?? 'btn'} disabled={disabled} aria-label={ariaLabel} onClick={() => setOpen(true)}>
        {children}
      </button>
      {open && (
        <Modal title={title} onClose={() => !busy && setOpen(false)}>
          <div className="modal-body">{message}</div>
          {error && (
            <p className="error-text" role="alert">
              {error}
            </p>
          )}
          <div className="modal-actions">
            <button type="button" className="btn" onClick={() => setOpen(false)} disabled={busy} data-autofocus>
              Keep
            </button>
            <button type="button" className="btn btn-danger" onClick={confirm} disabled={busy}>
              {busy ? 'Working…' : confirmLabel}
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}
