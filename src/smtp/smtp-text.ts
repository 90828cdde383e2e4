// Server text as Relais stores and shows it: printable, single line, bounded.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

export function sanitizeSmtpText(text: string, max = 500): string {
  const oneLine = text.replace(/\r?\n/g, ' / ').replace(CONTROL, '').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}
