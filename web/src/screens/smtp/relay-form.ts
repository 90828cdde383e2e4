/**
 * The relay form's state and rules, apart from React: what a preset fills in, which fields
 * a provider needs, what must be typed before saving, and the PUT body.
 *
 * The password is write-only: the form starts empty, an empty field keeps the stored
 * password, and a stored password only stays valid while host, port and username are
 * unchanged (Relais never sends it to another server).
 */
import type { FallbackPolicy, Preset, Relay, RelayInput, Security } from '../../api-types.ts';
import { looksLikeEmail } from '../../format.ts';
import type { MessageKey } from '../../i18n/index.tsx';

export interface RelayForm {
  /** Empty until a provider is chosen. */
  preset: Preset['id'] | '';
  host: string;
  /** Text while typed; a whole number once valid. */
  port: string;
  security: Security;
  username: string;
  password: string;
  fromEmail: string;
  fromName: string;
  replyTo: string;
  fallbackPolicy: FallbackPolicy;
  allowSelfSigned: boolean;
}

export type FormField = keyof RelayForm;
export type FormErrors = Partial<Record<FormField, MessageKey>>;

export const EMPTY_FORM: RelayForm = {
  preset: '',
  host: '',
  port: '',
  security: 'starttls',
  username: '',
  password: '',
  fromEmail: '',
  fromName: '',
  replyTo: '',
  fallbackPolicy: 'fallback',
  allowSelfSigned: false,
};

export const CUSTOM_PRESET: Preset['id'] = 'custom';

export function formFromRelay(relay: Relay): RelayForm {
  return {
    preset: relay.preset,
    host: relay.host,
    port: String(relay.port),
    security: relay.security,
    username: relay.username,
    password: '',
    fromEmail: relay.fromEmail,
    fromName: relay.fromName,
    replyTo: relay.replyTo ?? '',
    fallbackPolicy: relay.fallbackPolicy,
    allowSelfSigned: relay.allowSelfSigned,
  };
}

/** The form after choosing a provider: its server defaults; what the owner typed about themselves stays. */
export function applyPreset(form: RelayForm, preset: Preset, previous: Preset | undefined): RelayForm {
  const custom = preset.id === CUSTOM_PRESET;
  const host = custom ? (previous?.id === CUSTOM_PRESET ? form.host : '') : (preset.host ?? preset.hostChoices?.[0]?.host ?? '');
  const choice = preset.hostChoices?.find((c) => c.host === host);
  const username = preset.fixedUsername ?? (previous?.fixedUsername ? '' : form.username);
  return {
    ...form,
    preset: preset.id,
    host,
    port: String(choice?.endpoint?.port ?? preset.port),
    security: choice?.endpoint?.security ?? preset.security,
    username,
    password: '',
    allowSelfSigned: custom ? form.allowSelfSigned : false,
  };
}

/** Host chosen among a provider's servers: some servers have their own port (OVHcloud). */
export function applyHostChoice(form: RelayForm, preset: Preset, host: string): RelayForm {
  const endpoint = preset.hostChoices?.find((c) => c.host === host)?.endpoint;
  return endpoint ? { ...form, host, port: String(endpoint.port), security: endpoint.security } : { ...form, host };
}

/** The port and security pairs a provider offers, its default first. */
export function endpointsOf(preset: Preset): { port: number; security: Security }[] {
  return [{ port: preset.port, security: preset.security }, ...(preset.alternatives ?? [])];
}

/** Which fields the provider makes the owner fill in or choose. */
export function visibleFields(preset: Preset): {
  host: 'input' | 'select' | 'fixed';
  endpoint: 'inputs' | 'select' | 'fixed';
  username: 'input' | 'fixed';
  allowSelfSigned: boolean;
} {
  const custom = preset.id === CUSTOM_PRESET;
  return {
    host: custom || (preset.host === null && !preset.hostChoices?.length) ? 'input' : preset.hostChoices?.length ? 'select' : 'fixed',
    endpoint: custom ? 'inputs' : endpointsOf(preset).length > 1 ? 'select' : 'fixed',
    username: preset.fixedUsername ? 'fixed' : 'input',
    allowSelfSigned: custom,
  };
}

const sameHost = (a: string, b: string) => a.trim().toLowerCase().replace(/\.$/, '') === b.trim().toLowerCase().replace(/\.$/, '');

/** Whether the stored password can be kept: a relay exists and its server and username are unchanged. */
export function storedPasswordUsable(form: RelayForm, relay: Relay | null): boolean {
  return relay !== null && relay.hasPassword && sameHost(form.host, relay.host) && Number(form.port) === relay.port && form.username.trim() === relay.username;
}

export function validate(form: RelayForm, relay: Relay | null): FormErrors {
  const errors: FormErrors = {};
  if (form.preset === '') errors.preset = 'validation.chooseProvider';
  if (form.host.trim() === '') errors.host = 'validation.hostRequired';
  else if (/\s|[/:@]/.test(form.host.trim())) errors.host = 'validation.hostInvalid';
  const port = Number(form.port);
  if (!/^\d+$/.test(form.port.trim()) || port < 1 || port > 65535) errors.port = 'validation.portInvalid';
  if (form.username.trim() === '') errors.username = 'validation.required';
  if (form.password === '' && !storedPasswordUsable(form, relay)) {
    errors.password = relay?.hasPassword ? 'validation.passwordAgain' : 'validation.required';
  }
  if (form.fromEmail.trim() === '') errors.fromEmail = 'validation.required';
  else if (!looksLikeEmail(form.fromEmail)) errors.fromEmail = 'validation.email';
  if (form.fromName.trim() === '') errors.fromName = 'validation.required';
  if (form.replyTo.trim() !== '' && !looksLikeEmail(form.replyTo)) errors.replyTo = 'validation.email';
  return errors;
}

/** The PUT body of a form that passed `validate` (a provider is chosen). */
export function toInput(form: RelayForm): RelayInput {
  if (form.preset === '') throw new Error('Choose a provider before saving.');
  return {
    preset: form.preset,
    host: form.host.trim(),
    port: Number(form.port),
    security: form.security,
    username: form.username.trim(),
    ...(form.password !== '' ? { password: form.password } : {}),
    fromEmail: form.fromEmail.trim(),
    fromName: form.fromName.trim(),
    replyTo: form.replyTo.trim() === '' ? null : form.replyTo.trim(),
    fallbackPolicy: form.fallbackPolicy,
    allowSelfSigned: form.allowSelfSigned,
  };
}

/** Whether the form differs from what is saved (a typed password counts as a change). */
export function isDirty(form: RelayForm, relay: Relay | null): boolean {
  if (!relay) return true;
  const saved = formFromRelay(relay);
  return (Object.keys(saved) as FormField[]).some((key) => (key === 'password' ? form.password !== '' : form[key] !== saved[key]));
}
