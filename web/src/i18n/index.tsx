/**
 * Translation: two dictionaries with the same typed key set (fr.ts is the reference, en.ts
 * must match it key for key), `{name}` placeholders, and the chosen language remembered in
 * localStorage. French is the default; until someone picks a language, the organization's
 * locale decides.
 */
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { Lang } from '../api-types.ts';
import { en } from './en.ts';
import { fr, type MessageKey } from './fr.ts';

export type { MessageKey };

const DICTIONARIES: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { fr, en };

export const LANGS: readonly Lang[] = ['fr', 'en'];

const STORAGE_KEY = 'relais.lang';

/** The language someone chose earlier on this browser, if any. */
export function storedLang(): Lang | null {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return value === 'fr' || value === 'en' ? value : null;
  } catch {
    // Storage refused (private mode, embedded in a third-party frame): nothing remembered.
    return null;
  }
}

export function storeLang(lang: Lang): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // See storedLang: the choice then lasts for this page only.
  }
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(fr, key);
}

export type Vars = Readonly<Record<string, string | number>>;

export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  const text = DICTIONARIES[lang][key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export interface I18n {
  lang: Lang;
  /** Switches the language and remembers the choice. */
  setLang(lang: Lang): void;
  t(key: MessageKey, vars?: Vars): string;
  /** A date and time in the reader's language, e.g. "12 mars 2026 à 14:05". */
  dateTime(iso: string): string;
  /** The plural category of a count in the reader's language (French: 0 and 1 are singular). */
  plural(count: number): 'one' | 'other';
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ lang, setLang, children }: { lang: Lang; setLang: (lang: Lang) => void; children: ReactNode }) {
  const value = useMemo<I18n>(() => {
    const format = new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
    const rules = new Intl.PluralRules(lang);
    return {
      lang,
      setLang,
      t: (key, vars) => translate(lang, key, vars),
      dateTime: (iso) => format.format(new Date(iso)),
      plural: (count) => (rules.select(count) === 'one' ? 'one' : 'other'),
    };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
