// Step 2: the provider's own numbered guide, its notices and its sending limits, in the
// reader's language.
import type { Preset } from '../../api-types.ts';
import { useI18n } from '../../i18n/index.tsx';

export function ProviderGuide({ preset, open, guide }: { preset: Preset; open: boolean; guide?: { fr: readonly string[]; en: readonly string[] } | undefined }) {
  const { t, lang } = useI18n();
  // The chosen sign-in method's own guide (app sign-in), else the provider's.
  const steps = (guide ?? preset.guide)[lang];
  return (
    <details className="guide" open={open}>
      <summary>{t('smtp.guide.summary', { provider: preset.id === 'custom' ? t('smtp.provider.custom') : preset.name, count: steps.length })}</summary>
      <ol className="guide__steps">
        {steps.map((step, i) => (
          <li key={i}>{step}</li>
        ))}
      </ol>
      {preset.notices?.map((notice, i) => (
        <p key={i} className={`notice notice--${notice.level === 'warning' ? 'warning' : 'info'}`}>
          {notice.text[lang]}
        </p>
      ))}
      <p className="muted guide__limits">
        <strong>{t('smtp.guide.limits')}</strong> {preset.limits.basis[lang]}
      </p>
      {preset.docsUrl ? (
        <p>
          <a href={preset.docsUrl} target="_blank" rel="noreferrer noopener">
            {t('smtp.guide.docs', { provider: preset.name })}
          </a>
        </p>
      ) : null}
    </details>
  );
}
