import type { Locale } from '../glossary.ts';

/** `fr` or `en` from the first Accept-Language tag, else the organization's locale. */
export function readerLocale(acceptLanguage: string | undefined, fallback: Locale): Locale {
  const first = acceptLanguage?.split(',')[0]?.trim().slice(0, 2).toLowerCase();
  return first === 'en' || first === 'fr' ? first : fallback;
}
