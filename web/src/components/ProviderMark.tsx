// A provider's recognisable mark: its initials on its brand colour.
import { textOn } from '../format.ts';

export function ProviderMark({ initials, color, size = 'normal' }: { initials: string; color: string; size?: 'normal' | 'small' }) {
  return (
    <span className={`mark mark--${size}`} style={{ background: color, color: textOn(color) }} aria-hidden="true">
      {initials}
    </span>
  );
}
