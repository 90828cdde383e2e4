// Step 4: the flight check of the saved settings. Each step is listed before it runs;
// steps the API reports one by one fill in as they finish, otherwise every pending step
// shows a spinner until the report arrives. Failures and warnings are explained below.
import { useEffect, useRef, useState } from 'react';
import { asApiError, checkSteps, runCheck, type ApiError } from '../../api.ts';
import type { CheckReport, Relay, Security, StepId } from '../../api-types.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { CheckStepList, type RowState } from './CheckStepList.tsx';
import { explainStep } from './explain-step.ts';
import { FailureExplanation } from './FailureExplanation.tsx';

type Phase = { kind: 'idle' } | { kind: 'running' } | { kind: 'done'; report: CheckReport; version: number } | { kind: 'error'; error: ApiError };

export function CheckPanel(props: {
  orgId: string;
  relay: Relay | null;
  security: Security;
  ownerEmail: string;
  /** Unsaved changes: the button saves first, then checks. */
  dirty: boolean;
  /** Saves the form when needed; resolves to the saved relay, or null when saving failed. */
  prepare(): Promise<Relay | null>;
  onChecked(report: CheckReport): void;
  /** Run the check as soon as the panel shows (a mailbox just connected). */
  runAtOnce?: boolean;
}) {
  const { orgId, relay, security, ownerEmail, dirty, prepare, onChecked, runAtOnce = false } = props;
  const { t, lang, dateTime } = useI18n();
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [rows, setRows] = useState<Map<StepId, RowState>>(new Map());
  const [announce, setAnnounce] = useState('');
  const [sendTestEmail, setSendTestEmail] = useState(false);
  const running = useRef(false);

  const order = phase.kind === 'done' && phase.report.steps.length > 0 ? phase.report.steps.map((s) => s.id) : checkSteps(security);

  const run = async () => {
    if (running.current) return;
    running.current = true;
    try {
      const saved = await prepare();
      if (!saved) return;
      const steps = checkSteps(saved.security);
      setRows(new Map(steps.map((id) => [id, { kind: 'pending' }])));
      setPhase({ kind: 'running' });
      setAnnounce(t('check.running'));
      const report = await runCheck(orgId, {
        lang,
        sendTestEmail,
        onStep: (step) => {
          setRows((current) => new Map(current).set(step.id, { kind: 'done', step }));
          setAnnounce(`${t(`check.step.${step.id}`)} : ${t(`check.status.${step.status}`)}`);
        },
      });
      setRows(new Map(report.steps.map((step) => [step.id, { kind: 'done', step }])));
      setPhase({ kind: 'done', report, version: saved.version });
      const failed = report.steps.find((s) => s.status === 'fail');
      setAnnounce(failed ? t('check.failedAt', { step: t(`check.step.${failed.id}`) }) : t('check.passed'));
      onChecked(report);
    } catch (e) {
      const error = asApiError(e);
      setRows(new Map());
      setPhase({ kind: 'error', error });
      setAnnounce('');
    } finally {
      running.current = false;
    }
  };

  const ranAtOnce = useRef(false);
  useEffect(() => {
    if (!runAtOnce || ranAtOnce.current) return;
    ranAtOnce.current = true;
    void run();
    // Once, when the panel first shows: `run` reads the latest props when it starts.
  }, [runAtOnce]);

  const report = phase.kind === 'done' ? phase.report : undefined;
  const explained = (report?.steps ?? [])
    .filter((s) => s.status === 'fail' || s.status === 'warn')
    .map((step) => ({ step, explanation: explainStep(step, t) }));
  const stale = phase.kind === 'done' && (dirty || (relay !== null && relay.version !== phase.version));

  return (
    <div className="check">
      <div className="check__controls">
        <button type="button" className="button button--primary" onClick={run} disabled={phase.kind === 'running'}>
          {phase.kind === 'running' ? t('check.runningButton') : dirty ? t('check.saveAndRun') : phase.kind === 'done' ? t('check.runAgain') : t('check.run')}
        </button>
        <div className="checkbox checkbox--inline">
          <input id="check-test-email" type="checkbox" checked={sendTestEmail} onChange={(e) => setSendTestEmail(e.target.checked)} />
          <label htmlFor="check-test-email">{t('check.sendTestEmail', { email: ownerEmail })}</label>
        </div>
      </div>
      <p className="check__live" role="status" aria-live="polite">
        {announce}
      </p>
      {phase.kind === 'idle' && relay?.lastCheck ? (
        <p className="muted">
          {relay.lastCheck.passed
            ? t('check.lastPassed', { date: dateTime(relay.lastCheck.at) })
            : t('check.lastFailed', { date: dateTime(relay.lastCheck.at) })}
        </p>
      ) : null}
      {phase.kind === 'error' ? <ErrorNotice error={phase.error} /> : null}
      <CheckStepList order={order} rows={rows} busy={phase.kind === 'running'} />
      {report ? (
        <div className="check__result">
          {stale ? <p className="notice notice--info">{t('check.stale')}</p> : null}
          {report.passed ? (
            <p className="notice notice--success">{t('check.passedLong')}</p>
          ) : null}
          {report.testEmail ? (
            <p className="muted">
              {report.testEmail.accepted ? t('check.testEmailSent', { email: report.testEmail.to }) : t('check.testEmailRefused', { email: report.testEmail.to })}
            </p>
          ) : null}
          {explained.map(({ step, explanation }) =>
            explanation ? (
              <section key={step.id} className="check__explained" aria-label={t(`check.step.${step.id}`)}>
                <p className="check__explained-step">
                  {t(step.status === 'fail' ? 'check.failedStep' : 'check.warnStep', { step: t(`check.step.${step.id}`) })}
                </p>
                <FailureExplanation explanation={explanation} tone={step.status === 'fail' ? 'fail' : 'warn'} />
              </section>
            ) : null,
          )}
        </div>
      ) : null}
    </div>
  );
}
