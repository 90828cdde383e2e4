// The delivery log's filters: status, recipient, category and a date range. Applied on
// submit, so typing does not fire a request per key.
import { useState, type FormEvent } from 'react';
import { MESSAGE_STATUSES } from '../../../../src/glossary.ts';
import type { MessageFilters } from '../../api-types.ts';
import { Field } from '../../components/Field.tsx';
import { useI18n } from '../../i18n/index.tsx';

export function LogFilters({ applied, onApply }: { applied: MessageFilters; onApply(filters: MessageFilters): void }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<MessageFilters>(applied);
  const set = (key: keyof MessageFilters, value: string) => setDraft({ ...draft, [key]: value || undefined });
  const invalidRange = Boolean(draft.from && draft.to && draft.from > draft.to);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!invalidRange) onApply(draft);
  };

  return (
    <form className="log-filters" onSubmit={submit} role="search" aria-label={t('log.filters')}>
      <Field id="filter-status" label={t('log.filter.status')}>
        {(a11y) => (
          <select {...a11y} value={draft.status ?? ''} onChange={(e) => set('status', e.target.value)}>
            <option value="">{t('log.filter.any')}</option>
            {MESSAGE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`message.status.${s}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="filter-recipient" label={t('log.filter.recipient')}>
        {(a11y) => <input {...a11y} type="search" value={draft.recipient ?? ''} onChange={(e) => set('recipient', e.target.value)} />}
      </Field>
      <Field id="filter-category" label={t('log.filter.category')}>
        {(a11y) => <input {...a11y} type="search" value={draft.category ?? ''} onChange={(e) => set('category', e.target.value)} />}
      </Field>
      <Field id="filter-from" label={t('log.filter.from')}>
        {(a11y) => <input {...a11y} type="date" value={draft.from ?? ''} onChange={(e) => set('from', e.target.value)} />}
      </Field>
      <Field id="filter-to" label={t('log.filter.to')} error={invalidRange ? t('validation.dateRange') : undefined}>
        {(a11y) => <input {...a11y} type="date" value={draft.to ?? ''} onChange={(e) => set('to', e.target.value)} />}
      </Field>
      <div className="log-filters__actions">
        <button type="submit" className="button button--primary">
          {t('log.filter.apply')}
        </button>
        <button
          type="button"
          className="button button--ghost"
          onClick={() => {
            setDraft({});
            onApply({});
          }}
        >
          {t('log.filter.reset')}
        </button>
      </div>
    </form>
  );
}
