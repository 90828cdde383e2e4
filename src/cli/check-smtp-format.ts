// How `relais check-smtp` prints a flight check or a security detection for a human.
import type { Locale } from '../glossary.ts';
import { explainStep } from '../smtp/flight-check.ts';
import type { FlightCheckReport, FlightCheckStep, SecurityDetection, Security, StepId } from '../smtp/flight-check.ts';

const SYMBOL: Record<FlightCheckStep['status'], string> = { ok: '✓', warn: '!', fail: '✗', skipped: '–' };

const TEXT = {
  en: {
    steps: {
      dns: 'DNS and address',
      connect: 'Connection',
      greeting: 'Greeting',
      tls: 'Encryption (TLS)',
      ehlo: 'Capabilities (EHLO)',
      auth: 'Authentication',
      sender: 'Sender',
      recipient: 'Recipient',
      'test-email': 'Test email',
    } satisfies Record<StepId, string>,
    security: { tls: 'TLS', starttls: 'STARTTLS', none: 'no encryption' } satisfies Record<Security, string>,
    heading: (host: string, port: number, security: string) => `Relais flight check: ${host}, port ${port}, ${security}`,
    colon: ': ',
    cause: 'Cause',
    reply: 'Server reply',
    fix: 'How to fix it',
    warning: (step: string) => `! ${step}: `,
    passed: (warnings: number) => (warnings === 0 ? 'Result: passed.' : `Result: passed, with ${warnings} warning${warnings > 1 ? 's' : ''}.`),
    failed: (step: string) => `Result: failed at “${step}”.`,
    detectHeading: (host: string) => `Relais security detection: ${host}`,
    notAllowed: 'not allowed by the configuration',
    unreachable: 'unreachable',
    implicitTls: 'implicit TLS',
    starttls: 'STARTTLS',
    plainOnly: 'no encryption offered',
    auth: 'AUTH',
    recommended: (port: number, security: string) => `Recommended: port ${port} with ${security}.`,
    noRecommendation: 'No port offers an encrypted SMTP connection.',
    refused: 'Host refused',
    ms: (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`),
  },
  fr: {
    steps: {
      dns: 'DNS et adresse',
      connect: 'Connexion',
      greeting: 'Accueil du serveur',
      tls: 'Chiffrement (TLS)',
      ehlo: 'Extensions (EHLO)',
      auth: 'Authentification',
      sender: 'Expéditeur',
      recipient: 'Destinataire',
      'test-email': 'E-mail de test',
    } satisfies Record<StepId, string>,
    security: { tls: 'TLS', starttls: 'STARTTLS', none: 'sans chiffrement' } satisfies Record<Security, string>,
    heading: (host: string, port: number, security: string) => `Vérification Relais : ${host}, port ${port}, ${security}`,
    colon: ' : ',
    cause: 'Cause',
    reply: 'Réponse du serveur',
    fix: 'Pour corriger',
    warning: (step: string) => `! ${step} : `,
    passed: (warnings: number) =>
      warnings === 0 ? 'Résultat : réussi.' : `Résultat : réussi, avec ${warnings} avertissement${warnings > 1 ? 's' : ''}.`,
    failed: (step: string) => `Résultat : échec à l’étape « ${step} ».`,
    detectHeading: (host: string) => `Détection de la sécurité par Relais : ${host}`,
    notAllowed: 'non autorisé par la configuration',
    unreachable: 'injoignable',
    implicitTls: 'TLS implicite',
    starttls: 'STARTTLS',
    plainOnly: 'aucun chiffrement proposé',
    auth: 'AUTH',
    recommended: (port: number, security: string) => `Recommandé : port ${port} avec ${security}.`,
    noRecommendation: 'Aucun port ne propose de connexion SMTP chiffrée.',
    refused: 'Serveur refusé',
    ms: (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1).replace('.', ',')} s`),
  },
} as const;

function explanationLines(step: FlightCheckStep, locale: Locale, heading: string): string[] {
  const t = TEXT[locale];
  const explanation = step.explanation;
  if (!explanation) return [];
  const lines = [`${heading}${explanation.title}`, `  ${t.cause}${t.colon}${explanation.cause}`];
  if (explanation.reply) lines.push(`  ${t.reply}${t.colon}${explanation.reply}`);
  lines.push(`  ${t.fix}${t.colon.trimEnd()}`, ...explanation.fix.map((fix, index) => `    ${index + 1}. ${fix}`));
  return lines;
}

export function formatHeading(report: Pick<FlightCheckReport, 'settings'>, locale: Locale): string {
  const t = TEXT[locale];
  return t.heading(report.settings.host, report.settings.port, t.security[report.settings.security]);
}

const LABEL_WIDTH = Math.max(...Object.values(TEXT.en.steps).map((l) => l.length), ...Object.values(TEXT.fr.steps).map((l) => l.length));

/** One line per step: symbol, name, duration, detail. */
export function formatStep(step: FlightCheckStep, locale: Locale): string {
  const t = TEXT[locale];
  const duration = step.status === 'skipped' ? '' : t.ms(step.durationMs);
  return `  ${SYMBOL[step.status]} ${t.steps[step.id].padEnd(LABEL_WIDTH)} ${duration.padStart(8)}  ${step.detail}`;
}

/** What follows the step lines: the failure's explanation, warnings, and the verdict. */
export function formatConclusion(report: FlightCheckReport, locale: Locale): string {
  const t = TEXT[locale];
  const lines: string[] = [];
  for (const step of report.steps.filter((s) => s.status === 'warn')) {
    lines.push('', ...explanationLines(step, locale, t.warning(t.steps[step.id])));
  }
  const failed = report.steps.find((s) => s.status === 'fail');
  if (failed) lines.push('', ...explanationLines(failed, locale, '✗ '));
  const warnings = report.steps.filter((s) => s.status === 'warn').length;
  lines.push('', failed ? t.failed(t.steps[failed.id]) : t.passed(warnings));
  return lines.join('\n');
}

export function formatReport(report: FlightCheckReport, locale: Locale): string {
  return [formatHeading(report, locale), ...report.steps.map((s) => formatStep(s, locale)), formatConclusion(report, locale)].join('\n');
}

export function formatDetection(detection: SecurityDetection, locale: Locale): string {
  const t = TEXT[locale];
  const lines = [t.detectHeading(detection.host)];
  if (detection.refused) {
    lines.push(`  ✗ ${t.refused}${t.colon}${detection.refused.message}`);
    return lines.join('\n');
  }
  for (const probe of detection.ports) {
    const port = String(probe.port).padStart(5);
    if (!probe.allowed) {
      lines.push(`  – ${port}  ${t.notAllowed}`);
      continue;
    }
    if (!probe.reachable || probe.recommendation === null) {
      const why = probe.problem ? ` (${explainStep(probe.problem, { locale }).title})` : '';
      lines.push(`  ✗ ${port}  ${t.unreachable}${why}`);
      continue;
    }
    const offers = [
      probe.implicitTls ? t.implicitTls : null,
      probe.starttlsWorks ? t.starttls : null,
      probe.recommendation === 'none' ? t.plainOnly : null,
      probe.authMechanisms.length > 0 ? `${t.auth} ${probe.authMechanisms.join(' ')}` : null,
      probe.problem ? explainStep(probe.problem, { locale }).title : null,
    ].filter((item): item is string => item !== null);
    const symbol = probe.recommendation === 'none' || probe.problem ? '!' : '✓';
    lines.push(`  ${symbol} ${port}  ${offers.join(', ')}`);
  }
  const best = detection.recommended;
  lines.push('', best ? t.recommended(best.port, t.security[best.security]) : t.noRecommendation);
  return lines.join('\n');
}
