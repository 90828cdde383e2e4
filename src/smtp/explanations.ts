/**
 * The explanation catalog: for every kind of SMTP failure the classification table can
 * name, what an owner reads in the flight check, the delivery log and relay alerts: a
 * title, the cause in plain words, and the steps that fix it, in French and English, with
 * provider-specific variants by preset (gmail, microsoft-365, sendgrid…).
 *
 * Catalog text never contains a server's words. A server's reply is returned apart, as
 * `reply`, and only when it is a real SMTP reply, sanitized and cut to REPLY_MAX_LENGTH characters.
 */
import type { Locale, PresetId } from '../glossary.ts';
import type { SmtpFailure } from './failure.ts';
import { sanitizeServerText } from './failure.ts';
import { classify } from './reply-classification.ts';
import { EXPLANATIONS, type ExplanationId } from './explanations/catalog.ts';

export { OAUTH_EXPLANATION_IDS } from './explanations/oauth.ts';
export type { Explanation, Localized, LocalizedSteps, PresetVariant } from './explanations/explanation.ts';

export { EXPLANATIONS, type ExplanationId };

export interface ExplainOptions {
  /** The relay's preset id, for provider-specific steps. */
  preset?: PresetId;
  locale: Locale;
}

export interface ExplainedFailure {
  id: ExplanationId;
  title: string;
  cause: string;
  fix: string[];
  /** The server's reply, sanitized, at most REPLY_MAX_LENGTH characters; absent when there was none. */
  reply?: string;
}

/** Classifies the failure and renders its explanation in the owner's language. */
export function explain(failure: SmtpFailure, options: ExplainOptions): ExplainedFailure {
  return explainById(classify(failure).explanation, options, failure);
}

/**
 * Renders an explanation already chosen (one stored with an attempt, for instance),
 * quoting the failure's reply when one is given.
 */
export function explainById(
  id: ExplanationId,
  options: ExplainOptions,
  failure?: Pick<SmtpFailure, 'code' | 'enhanced' | 'text'>,
): ExplainedFailure {
  const entry = EXPLANATIONS[id];
  const variant = options.preset === undefined ? undefined : entry.byPreset?.[options.preset];
  const { locale } = options;
  const explained: ExplainedFailure = {
    id,
    title: entry.title[locale],
    cause: (variant?.cause ?? entry.cause)[locale],
    fix: [...(variant?.fix ?? entry.fix)[locale]],
  };
  const reply = failure === undefined ? undefined : sanitizeServerText(failure);
  if (reply !== undefined) explained.reply = reply;
  return explained;
}
