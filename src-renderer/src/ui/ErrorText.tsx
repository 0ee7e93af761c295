import { errorText } from '../api/api-error';

/** An error in words, announced (role=alert). Nothing when there is no error. */
export function ErrorText({ error, prefix }: { error: unknown; prefix?: string }) {
  if (!error) return null;
  return (
    <p className="error-text" role="alert">
      <span aria-hidden="true">✕ </span>
      {prefix ? `${prefix}: ` : ''}
      {errorText(error)}
    </p>
  );
}
