// Reads an EHLO reply into the capabilities the flight check reports.
import type { Capabilities } from './types.ts';

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
