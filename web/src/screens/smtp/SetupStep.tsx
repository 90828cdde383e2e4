// One numbered section of the guided setup.
import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/index.tsx';

export function SetupStep({ n, title, done, children }: { n: number; title: string; done?: boolean; children: ReactNode }) {
  const { t } = useI18n();
  const id = `setup-step-${n}`;
  return (
    <section className={`card setup-step${done ? ' setup-step--done' : ''}`} aria-labelledby={id}>
      <h2 id={id} className="setup-step__title">
        <span className="setup-step__number" aria-hidden="true">
          {done ? '✓' : n}
        </span>
        <span className="sr-only">{t('smtp.step.number', { n })}</span>
        {title}
        {done ? <span className="sr-only"> ({t('smtp.step.done')})</span> : null}
      </h2>
      {children}
    </section>
  );
}
