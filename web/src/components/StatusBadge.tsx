// The relay's status as a coloured pill with words (colour is never the only signal).
import type { RelayStatus } from '../api-types.ts';
import { useI18n } from '../i18n/index.tsx';

export function StatusBadge({ status }: { status: RelayStatus | 'none' }) {
  const { t } = useI18n();
  const text = {
    none: t('status.none'),
    off: t('status.off'),
    unverified: t('status.unverified'),
    active: t('status.active'),
    failing: t('status.failing'),
  }[status];
  return <span className={`badge badge--${status}`}>{text}</span>;
}
