// Step 1: the provider, as a radio group of recognisable marks (arrow keys move between
// them, as in any radio group). Once chosen, it folds into one line with a "change" button.
import { useState } from 'react';
import type { Preset } from '../../api-types.ts';
import { ProviderMark } from '../../components/ProviderMark.tsx';
import { useI18n } from '../../i18n/index.tsx';

export function ProviderPicker(props: {
  presets: readonly Preset[];
  selected: Preset | undefined;
  /** Start folded (a relay is already configured). */
  folded: boolean;
  error?: string | undefined;
  onSelect(preset: Preset): void;
}) {
  const { presets, selected, folded, error, onSelect } = props;
  const { t } = useI18n();
  const [open, setOpen] = useState(!folded || !selected);

  if (selected && !open) {
    return (
      <div className="provider-chosen">
        <ProviderMark initials={selected.mark.initials} color={selected.mark.color} />
        <span className="provider-chosen__name">{displayName(selected, t)}</span>
        <button type="button" className="button button--small" onClick={() => setOpen(true)}>
          {t('smtp.provider.change')}
        </button>
      </div>
    );
  }

  return (
    <fieldset className="provider-picker" aria-describedby={error ? 'provider-error' : undefined}>
      <legend className="sr-only">{t('smtp.provider.legend')}</legend>
      <div className="provider-grid">
        {presets.map((preset) => (
          <label key={preset.id} className="provider-option">
            <input
              type="radio"
              name="provider"
              value={preset.id}
              checked={selected?.id === preset.id}
              onChange={() => {
                onSelect(preset);
              }}
              onKeyDown={(e) => {
                // Enter confirms the highlighted provider and folds the list, like a click.
                if (e.key === 'Enter') {
                  e.preventDefault();
                  onSelect(preset);
                  setOpen(false);
                }
              }}
              // A pointer click folds the list; arrow keys also fire click events (detail 0) and must not.
              onClick={(e) => {
                if (e.detail > 0) setOpen(false);
              }}
            />
            <ProviderMark initials={preset.mark.initials} color={preset.mark.color} />
            <span className="provider-option__name">{displayName(preset, t)}</span>
          </label>
        ))}
      </div>
      {error ? (
        <p className="field__error" id="provider-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

export function displayName(preset: Preset, t: ReturnType<typeof useI18n>['t']): string {
  return preset.id === 'custom' ? t('smtp.provider.custom') : preset.name;
}
