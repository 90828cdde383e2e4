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

/** How the relay signs in: a password, an application (OAuth2) for Microsoft 365 and Google Workspace, or a mailbox connected with "Connect with Microsoft / Google". */
export type AuthType = 'password' | 'oauth2-microsoft' | 'oauth2-google' | 'oauth2-connected';

export interface RelayForm {
  /** Empty until a provider is chosen. */
  preset: Preset['id'] | '';
  authType: AuthType;
  /** App sign-in (Microsoft): the directory and application ids, the secret (write-only) and its expiry (YYYY-MM-DD or empty). */
  tenantId: string;
  clientId: string;
  clientSecret: string;
  clientSecretExpiresAt: string;
  /** App sign-in (Google): the JSON key file's text, write-only; empty keeps the stored key. */
  serviceAccountKey: string;
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
  authType: 'password',
  tenantId: '',
  clientId: '',
  clientSecret: '',
  clientSecretExpiresAt: '',
  serviceAccountKey: '',
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
  const { auth } = relay;
  return {
    preset: relay.preset,
    authType: auth.type,
    tenantId: auth.type === 'oauth2-microsoft' ? auth.tenantId : '',
    clientId: auth.type === 'oauth2-microsoft' ? auth.clientId : '',
    clientSecret: '',
    clientSecretExpiresAt: auth.type === 'oauth2-microsoft' && auth.clientSecretExpiresAt ? auth.clientSecretExpiresAt.slice(0, 10) : '',
    serviceAccountKey: '',
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
    authType: preset.authMethods?.[0]?.type ?? 'password',
    clientSecret: '',
    serviceAccountKey: '',
    allowSelfSigned: custom ? form.allowSelfSigned : false,
  };
}

/** The guide of the chosen sign-in method, when the provider has one apart from its main guide. */
export function methodGuide(preset: Preset, authType: AuthType): { fr: readonly string[]; en: readonly string[] } | undefined {
  return preset.authMethods?.find((m) => m.type === authType)?.guide;
}

/** The service account's email in a key file's text, or null when it is not a service account key. */
export function keyFileEmail(text: string): string | null {
  try {
    const key = JSON.parse(text) as { type?: unknown; client_email?: unknown; private_key?: unknown };
    return key.type === 'service_account' && typeof key.client_email === 'string' && typeof key.private_key === 'string' ? key.client_email : null;
  } catch {
    return null;
  }
}

/** Whether the stored application secret (or key) can be kept: same method, application, mailbox and server. */
export function storedSecretUsable(form: RelayForm, relay: Relay | null): boolean {
  if (!relay || relay.auth.type !== form.authType) return false;
  const sameServer = sameHost(form.host, relay.host) && Number(form.port) === relay.port && form.username.trim() === relay.username;
  if (relay.auth.type === 'oauth2-microsoft') {
    return sameServer && relay.auth.hasClientSecret && relay.auth.tenantId === form.tenantId.trim() && relay.auth.clientId === form.clientId.trim();
  }
  return relay.auth.type === 'oauth2-google' && sameServer && relay.auth.hasPrivateKey;
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
  else if (form.authType !== 'password' && !looksLikeEmail(form.username)) errors.username = 'validation.email';
  if (form.authType === 'password' && form.password === '' && !storedPasswordUsable(form, relay)) {
    errors.password = relay?.hasPassword ? 'validation.passwordAgain' : 'validation.required';
  }
  if (form.authType === 'oauth2-microsoft') {
    if (form.tenantId.trim() === '') errors.tenantId = 'validation.required';
    if (form.clientId.trim() === '') errors.clientId = 'validation.required';
    if (form.clientSecret.trim() === '' && !storedSecretUsable(form, relay)) errors.clientSecret = relay?.auth.type === 'oauth2-microsoft' ? 'validation.secretAgain' : 'validation.required';
  }
  if (form.authType === 'oauth2-google') {
    if (form.serviceAccountKey !== '' && keyFileEmail(form.serviceAccountKey) === null) errors.serviceAccountKey = 'validation.keyFile';
    else if (form.serviceAccountKey === '' && !storedSecretUsable(form, relay)) errors.serviceAccountKey = 'validation.required';
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
    ...signIn(form),
    fromEmail: form.fromEmail.trim(),
    fromName: form.fromName.trim(),
    replyTo: form.replyTo.trim() === '' ? null : form.replyTo.trim(),
    fallbackPolicy: form.fallbackPolicy,
    allowSelfSigned: form.allowSelfSigned,
  };
}

/** The sign-in part of the PUT body: username and password, or the `auth` object (secrets only when typed). */
function signIn(form: RelayForm): Pick<RelayInput, 'username' | 'password' | 'auth'> {
  const user = form.username.trim();
  switch (form.authType) {
    case 'oauth2-microsoft':
      return {
        auth: {
          type: 'oauth2-microsoft',
          tenantId: form.tenantId.trim(),
          clientId: form.clientId.trim(),
          user,
          ...(form.clientSecret.trim() !== '' ? { clientSecret: form.clientSecret.trim() } : {}),
          clientSecretExpiresAt: form.clientSecretExpiresAt === '' ? null : form.clientSecretExpiresAt,
        },
      };
    case 'oauth2-google':
      return { auth: { type: 'oauth2-google', user, ...(form.serviceAccountKey !== '' ? { serviceAccountKey: form.serviceAccountKey } : {}) } };
    case 'oauth2-connected':
      // Keeps the connected mailbox (another one is connected through the provider).
      return { auth: { type: 'oauth2-connected', user } };
    default:
      return { username: user, ...(form.password !== '' ? { password: form.password } : {}) };
  }
}

const WRITE_ONLY: readonly FormField[] = ['password', 'clientSecret', 'serviceAccountKey'];

/** Whether the form differs from what is saved (a typed password, secret or key counts as a change). */
export function isDirty(form: RelayForm, relay: Relay | null): boolean {
  if (!relay) return true;
  const saved = formFromRelay(relay);
  return (Object.keys(saved) as FormField[]).some((key) => (WRITE_ONLY.includes(key) ? form[key] !== '' : form[key] !== saved[key]));
}
