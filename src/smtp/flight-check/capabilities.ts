// Reads an EHLO reply into the capabilities the flight check reports.
import type { Capabilities } from './types.ts';

/** SASL mechanisms in nodemailer's order of preference: delivery signs in with the first offered. */
export const PASSWORD_MECHANISMS = ['PLAIN', 'LOGIN', 'CRAM-MD5'] as const;
export type PasswordMechanism = (typeof PASSWORD_MECHANISMS)[number];

/** The keyword lines of an EHLO reply, without codes and the first (greeting) line. */
function keywordLines(ehloReply: string): string[] {
  return ehloReply
    .split('\n')
    .slice(1)
    .map((line) => line.slice(4).trim())
    .filter((line) => line !== '');
}

export function parseCapabilities(ehloReply: string, starttlsOffered: boolean): Capabilities {
  const lines = keywordLines(ehloReply);
  const has = (keyword: string) => lines.some((line) => line.toUpperCase().split(/\s+/)[0] === keyword);
  const mechanisms = new Set<string>();
  for (const line of lines) {
    // "AUTH PLAIN LOGIN" and the pre-RFC "AUTH=PLAIN LOGIN" some servers still send
    const auth = /^AUTH[\s=](.*)$/i.exec(line);
    if (auth) for (const name of (auth[1] ?? '').split(/[\s=]+/)) if (/^[A-Z0-9_-]{1,20}$/i.test(name)) mechanisms.add(name.toUpperCase());
  }
  const sizeLine = lines.find((line) => /^SIZE\b/i.test(line));
  const size = sizeLine ? Number(/^SIZE\s+(\d+)/i.exec(sizeLine)?.[1] ?? NaN) : NaN;
  return {
    size: Number.isFinite(size) && size > 0 ? size : null,
    pipelining: has('PIPELINING'),
    chunking: has('CHUNKING'),
    smtputf8: has('SMTPUTF8'),
    eightBitMime: has('8BITMIME'),
    authMechanisms: [...mechanisms].slice(0, 20),
    starttls: starttlsOffered || has('STARTTLS'),
  };
}

export function offersStarttls(ehloReply: string): boolean {
  return keywordLines(ehloReply).some((line) => /^STARTTLS\b/i.test(line));
}

/** The mechanism delivery would use: the first password mechanism offered, else PLAIN. */
export function chooseMechanism(offered: readonly string[]): PasswordMechanism {
  return PASSWORD_MECHANISMS.find((mechanism) => offered.includes(mechanism)) ?? 'PLAIN';
}
