// Small formatting helpers shared by the screens.

/** "Name <address>", the way a mail client shows a sender. */
export function mailbox(name: string | null | undefined, address: string): string {
  const trimmed = name?.trim();
  return trimmed ? `${trimmed} <${address}>` : address;
}

/** A loose check of an email address, for the form: the server has the final word. */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>.]+$/.test(value.trim());
}

/** Black or white text, whichever reads better on the given #rrggbb background. */
export function textOn(color: string): '#000' | '#fff' {
  const hex = /^#?([0-9a-f]{6})$/i.exec(color)?.[1];
  if (!hex) return '#fff';
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
  // WCAG contrast against white vs black; pick the larger.
  return (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.05) ? '#fff' : '#000';
}

export function bytes(size: number, lang: 'fr' | 'en'): string {
  const unit = lang === 'fr' ? ['o', 'Ko', 'Mo'] : ['B', 'KB', 'MB'];
  if (size < 1024) return `${size} ${unit[0]}`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} ${unit[1]}`;
  return `${(size / 1024 / 1024).toFixed(1)} ${unit[2]}`;
}
