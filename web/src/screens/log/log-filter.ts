// Filters of the delivery log that an older API did not apply, applied to the page at hand.
import type { Message, MessageFilters } from '../../api-types.ts';

/** yyyy-mm-dd of an ISO instant, in the reader's time zone (the date inputs' zone). */
export function localDate(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Applies the listed filters; a recipient filter needs recipients on the messages and is otherwise left out. */
export function applyLocally(messages: Message[], filters: MessageFilters, keys: (keyof MessageFilters)[]): Message[] {
  return messages.filter((m) =>
    keys.every((key) => {
      const value = filters[key]?.trim().toLowerCase();
      if (!value) return true;
      switch (key) {
        case 'status':
          return m.status === value;
        case 'category':
          return (m.category ?? '').toLowerCase().includes(value);
        case 'recipient':
          return m.to === undefined || m.to.some((address) => address.toLowerCase().includes(value));
        case 'from':
          return localDate(m.createdAt) >= value;
        case 'to':
          return localDate(m.createdAt) <= value;
      }
    }),
  );
}

/** Whether a filter could not be applied at all (the messages carry no recipients). */
export function recipientFilterUnavailable(messages: Message[], filters: MessageFilters, unapplied: (keyof MessageFilters)[]): boolean {
  return Boolean(filters.recipient?.trim()) && unapplied.includes('recipient') && messages.some((m) => m.to === undefined);
}
