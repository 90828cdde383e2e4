// The "Custom sending address (SMTP)" beta flag as a switch. Saved as soon as it flips, with
// the outcome announced politely (saving, saved, or the error and the switch put back).
import { useId, useState } from 'react';
import { asApiError, setCustomSmtp, type ApiError } from '../../api.ts';
import type { Organization } from '../../api-types.ts';
import { errorText } from '../../components/ErrorNotice.tsx';
import { useI18n } from '../../i18n/index.tsx';

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; on: boolean } | { kind: 'error'; error: ApiError };

export function BetaToggle({ organization, onChange }: { organization: Organization; onChange(org: Organization): void }) {
  const { t, plural } = useI18n();
  const id = useId();
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const on = organization.features.customSmtp;

  const toggle = async () => {
    setState({ kind: 'saving' });
    try {
      const updated = await setCustomSmtp(organization.id, !on);
      onChange(updated);
      setState({ kind: 'saved', on: updated.features.customSmtp });
    } catch (e) {
      setState({ kind: 'error', error: asApiError(e) });
    }
  };

  return (
    <div className="toggle-row">
      <div className="toggle-row__text">
        <p className="toggle-row__label" id={`${id}-label`}>
          {t('org.beta.label')} <span className="tag">{t('org.beta.tag')}</span>
        </p>
        <p className="muted" id={`${id}-desc`}>
          {t('org.beta.description')}
        </p>
      </div>
      <button
        type="button"
        role="switch"
        className="switch"
        aria-checked={on}
        aria-labelledby={`${id}-label`}
        aria-describedby={`${id}-desc`}
        disabled={state.kind === 'saving'}
        onClick={toggle}
      >
        <span className="switch__thumb" aria-hidden="true" />
        <span className="switch__text">{on ? t('common.on') : t('common.off')}</span>
      </button>
      <p className={`save-feedback save-feedback--${state.kind}`} role="status" aria-live="polite">
        {state.kind === 'saving' ? t('common.saving') : null}
        {state.kind === 'saved' ? (state.on ? t('org.beta.savedOn') : t('org.beta.savedOff')) : null}
        {state.kind === 'error' ? errorText(t, state.error, plural) : null}
      </p>
    </div>
  );
}
