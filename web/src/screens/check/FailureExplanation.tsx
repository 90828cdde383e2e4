// Why a step failed and how to fix it: the explanation's title, cause and numbered fix steps
// (specific to the provider when the API knows it), with the server's reply quoted apart.
import type { Explanation } from '../../api-types.ts';
import { useI18n } from '../../i18n/index.tsx';

export function FailureExplanation({ explanation, tone = 'fail', headingLevel = 3 }: { explanation: Explanation; tone?: 'fail' | 'warn'; headingLevel?: 3 | 4 }) {
  const { t } = useI18n();
  const Heading = headingLevel === 3 ? 'h3' : 'h4';
  return (
    <div className={`explanation explanation--${tone}`}>
      <Heading className="explanation__title">{explanation.title}</Heading>
      {explanation.cause ? <p className="explanation__cause">{explanation.cause}</p> : null}
      {explanation.reply ? (
        <p className="explanation__reply">
          <span className="muted">{t('check.serverReply')}</span> <code>{explanation.reply}</code>
        </p>
      ) : null}
      {explanation.fix.length > 0 ? (
        <>
          <p className="explanation__fix-title">{t('check.whatToDo')}</p>
          <ol className="explanation__fix">
            {explanation.fix.map((step, i) => (
              <li key={i}>{step}</li>
            ))}
          </ol>
        </>
      ) : null}
    </div>
  );
}
