// The explanation to show for a failed or warning step: the API's own when it sends one;
// otherwise (an API that only gives an error code) a general one from the dictionaries.
import type { CheckStep, Explanation } from '../../api-types.ts';
import { isMessageKey, type I18n } from '../../i18n/index.tsx';

export function explainStep(step: CheckStep, t: I18n['t']): Explanation | undefined {
  if (step.explanation) {
    const reply = step.explanation.reply ?? step.data?.reply;
    return { ...step.explanation, ...(reply ? { reply } : {}) };
  }
  if (step.status !== 'fail') return undefined;
  const code = step.errorCode ?? '';
  const titleKey = `error.${code}`;
  const fixKey = `check.fix.${code}`;
  const reply = step.data?.reply;
  return {
    title: isMessageKey(titleKey) ? t(titleKey) : t('check.failedStep', { step: t(`check.step.${step.id}`) }),
    cause: step.detail,
    fix: isMessageKey(fixKey) ? t(fixKey).split('\n') : [t('check.fix.generic')],
    ...(reply ? { reply } : {}),
  };
}
