// /dev/inbox: what the demo's capture server received (demo mode only).
import type { FastifyPluginAsync } from 'fastify';
import type { DevInbox } from './capture-server.ts';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** `styleNonce`: the page's one inline style is allowed by its CSP nonce (src/api/security-headers.ts). */
function page(inbox: DevInbox, styleNonce: string): string {
  const rows = inbox
    .list()
    .map(
      (e) => `<tr>
  <td>${escape(new Date(e.receivedAt).toISOString().replace('T', ' ').slice(0, 19))}</td>
  <td>${e.server === 'relay' ? 'organization relay' : 'platform sender'}</td>
  <td>${escape(e.from)}</td><td>${escape(e.to)}</td><td>${escape(e.subject)}</td>
  <td><a href="/dev/inbox/messages/${e.id}/raw">source</a></td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Relais dev inbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="${escape(styleNonce)}">body{font:14px system-ui,sans-serif;margin:2rem;color:#1f2937}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #e5e7eb}th{background:#f3f4f6}</style></head>
<body><h1>Dev inbox</h1><p>Emails captured by the demo's local SMTP servers: the platform's default sender (${escape(inbox.url)}) and the demo organization's own relay. Newest first; reload to refresh.</p>
<table><thead><tr><th>Received</th><th>Through</th><th>From</th><th>To</th><th>Subject</th><th></th></tr></thead>
<tbody>${rows || '<tr><td colspan="6">Nothing yet: send a message through the API.</td></tr>'}</tbody></table></body></html>`;
}

export function devInboxRoutes(inbox: DevInbox): FastifyPluginAsync {
  return async (app) => {
    // Captured emails are personal data: never cached.
    const noStore = { noStore: true };
    app.get('/dev/inbox', { schema: { hide: true }, config: noStore, helmet: { enableCSPNonces: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(page(inbox, reply.cspNonce.style)),
    );
    app.get('/dev/inbox/messages', { schema: { hide: true }, config: noStore }, async () => ({
      messages: inbox.list().map(({ raw: _raw, ...rest }) => ({ ...rest, receivedAt: new Date(rest.receivedAt).toISOString() })),
    }));
    app.get<{ Params: { id: string } }>('/dev/inbox/messages/:id/raw', { schema: { hide: true }, config: noStore }, async (request, reply) => {
      const email = inbox.get(Number(request.params.id));
      if (!email) return reply.status(404).send({ error: { code: 'not_found', message: 'No such captured email.' } });
      return reply.type('text/plain; charset=utf-8').send(email.raw);
    });
  };
}
