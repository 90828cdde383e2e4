// The explanation to show for a failed or warning step: the API's own (the flight check
// explains every failure); a general one should a failed step ever come without it.
import type { CheckStep, Explanation } from '../../api-types.ts';
import type { I18n } from '../../i18n/index.tsx';

export function explainStep(step: CheckStep, t: I18n['t']): Explanation | undefined {
  if (step.explanation) {
    const reply = step.explanation.reply ?? step.data?.reply;
    return { ...step.explanation, ...(reply ? { reply } : {}) };
  }
  if (step.status !== 'fail') return undefined;
  const reply = step.data?.reply;
  return {
    title: t('check.failedStep', { step: t(`check.step.${step.id}`) }),
    // The step's detail may be the server's reply, which is quoted apart.
    cause: step.detail === reply ? '' : step.detail,
    fix: [t('check.fix.generic')],
    ...(reply ? { reply } : {}),
  };
}
