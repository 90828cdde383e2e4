// SMTP provider presets served by `GET /v1/smtp-presets`: defaults for the relay form, the
// provider's sending limits for pacing, and a numbered setup guide in French and English.
// The data of each provider lives in presets/<provider>.ts; the shape in presets/preset.ts.
import { amazonSes } from './presets/amazon-ses.ts';
import { brevo } from './presets/brevo.ts';
import { custom } from './presets/custom.ts';
import { gmail, googleWorkspace } from './presets/google.ts';
import { infomaniak } from './presets/infomaniak.ts';
import { ionos } from './presets/ionos.ts';
import { mailgun } from './presets/mailgun.ts';
import { mailjet } from './presets/mailjet.ts';
import { microsoft365, outlook } from './presets/microsoft.ts';
import { ovh } from './presets/ovh.ts';
import { postmark } from './presets/postmark.ts';
import { PRESET_IDS } from './presets/preset.ts';
import type { Preset, PresetId } from './presets/preset.ts';
import { scaleway } from './presets/scaleway.ts';
import { sendgrid } from './presets/sendgrid.ts';
import { zoho } from './presets/zoho.ts';

export { PRESET_IDS };
export type {
  Endpoint,
  HostChoice,
  Localized,
  Notice,
  Preset,
  PresetId,
  PresetLimits,
  Security,
} from './presets/preset.ts';

// A record keyed by id makes the compiler insist on exactly one preset per id.
const BY_ID: Readonly<Record<PresetId, Preset>> = {
  gmail,
  'google-workspace': googleWorkspace,
  'microsoft-365': microsoft365,
  outlook,
  sendgrid,
  mailgun,
  'amazon-ses': amazonSes,
  brevo,
  mailjet,
  postmark,
  ovh,
  infomaniak,
  ionos,
  zoho,
  scaleway,
  custom,
};

// Presets are shared by every request; freezing them keeps one handler's edit from leaking
// into another organisation's form.
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Every preset, in display order (the order of `PRESET_IDS`). */
export const PRESETS: readonly Preset[] = deepFreeze(PRESET_IDS.map((id) => BY_ID[id]));

const byId: ReadonlyMap<string, Preset> = new Map(PRESETS.map((preset) => [preset.id, preset]));

/** The preset with this id, or undefined for an unknown id (safe on any string, `__proto__` included). */
export function findPreset(id: string): Preset | undefined {
  return byId.get(id);
}

export function isPresetId(id: string): id is PresetId {
  return byId.has(id);
}
