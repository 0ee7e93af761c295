import { memo } from 'react';
import type { StatusLook } from './status';

/** A state as colour + icon + text (the icon is decorative; the text is what is read). */
export const StatusBadge = memo(function StatusBadge({ look, title }: { look: StatusLook; title?: string }) {
  return (
    <span className={`badge tone-${look.tone}`} title={title}>
      <span className="badge-icon" aria-hidden="true">
        {look.icon}
      </span>
      {look.text}
    </span>
  );
});
