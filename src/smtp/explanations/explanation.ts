// The shape of one entry of the explanation catalog (see ../explanations.ts).
import type { Locale, PresetId } from '../../glossary.ts';

export type Localized = Readonly<Record<Locale, string>>;

/** Numbered steps, in order; French and English have the same number of steps. */
export type LocalizedSteps = Readonly<Record<Locale, readonly string[]>>;

export interface PresetVariant {
  readonly cause?: Localized;
  readonly fix?: LocalizedSteps;
}

export interface Explanation {
  readonly title: Localized;
  /** What went wrong, in the owner's words: never a server's text. */
  readonly cause: Localized;
  /** How to fix it, as concrete steps. */
  readonly fix: LocalizedSteps;
  /** Provider-specific cause or steps, by preset id (gmail, microsoft-365, sendgrid…). */
  readonly byPreset?: Readonly<Partial<Record<PresetId, PresetVariant>>>;
}
