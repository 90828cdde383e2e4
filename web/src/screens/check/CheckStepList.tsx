// Every step of the check on its own row: not run yet, in progress (spinner), or its status
// with the detail and duration. Rows keep their size from the first render to the last, so
// nothing jumps while the check runs.
import type { CheckStep, StepId } from '../../api-types.ts';
import { Spinner } from '../../components/Spinner.tsx';
import { useI18n } from '../../i18n/index.tsx';

export type RowState = { kind: 'idle' } | { kind: 'pending' } | { kind: 'done'; step: CheckStep };

const ICONS = { ok: '✓', warn: '!', fail: '✕', skipped: '–' } as const;

export function CheckStepList({ order, rows, busy }: { order: StepId[]; rows: Map<StepId, RowState>; busy: boolean }) {
  const { t } = useI18n();
  return (
    <ol className="check-steps" aria-busy={busy} aria-label={t('check.stepsLabel')}>
      {order.map((id) => {
        const row = rows.get(id) ?? { kind: 'idle' };
        const status = row.kind === 'done' ? row.step.status : row.kind;
        return (
          <li key={id} className={`check-step check-step--${status}`} data-step={id} data-status={status}>
            <span className="check-step__icon">
              {row.kind === 'pending' ? <Spinner /> : <span aria-hidden="true">{row.kind === 'done' ? ICONS[row.step.status] : '○'}</span>}
            </span>
            <span className="check-step__name">{t(`check.step.${id}`)}</span>
            <span className="check-step__status">{t(`check.status.${status}`)}</span>
            <span className="check-step__detail" title={row.kind === 'done' ? detailOf(row.step) : undefined}>
              {row.kind === 'done' ? detailOf(row.step) : ''}
            </span>
            <span className="check-step__time">{row.kind === 'done' && row.step.durationMs > 0 ? `${row.step.durationMs} ms` : ''}</span>
          </li>
        );
      })}
    </ol>
  );
}

function detailOf(step: CheckStep): string {
  if (step.status === 'fail' && step.explanation) return step.explanation.title;
  return step.detail;
}
