// FR | EN switch; the choice is remembered on this browser.
import type { Lang } from '../api-types.ts';
import { LANGS, useI18n } from '../i18n/index.tsx';

const NAMES: Record<Lang, string> = { fr: 'Français', en: 'English' };

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <div className="lang-switch" role="group" aria-label={t('lang.label')}>
      {LANGS.map((code) => (
        <button
          key={code}
          type="button"
          lang={code}
          className="lang-switch__option"
          aria-pressed={code === lang}
          aria-label={NAMES[code]}
          onClick={() => setLang(code)}
        >
          {code.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
