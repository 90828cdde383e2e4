// Other spellings of one request path, for access-control tests: each must either reach the
// same permission check as the plain path or be refused. They are the ways a raw URL can
// differ from the route the router matches: percent-encoded letters and digits, an encoded
// slash inside a segment, doubled and trailing slashes, dot segments, upper case.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** A concrete path for a route pattern: `:orgId` → `orgId`, other parameters and `*` → `x1`. */
export function examplePath(pattern: string, orgId = 'acme'): string {
  return pattern.replace(/:orgId\b/g, orgId).replace(/:[A-Za-z]\w*/g, 'x1').replace(/\*/g, 'x1');
}

const hex = (char: string, upper: boolean) => {
  const code = char.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${upper ? code.toUpperCase() : code}`;
};

/** `/v1/organizations/acme/members` (query string kept apart) → its other spellings, each once. */
export function pathSpellings(pathWithQuery: string): string[] {
  const [path = '', query] = pathWithQuery.split(/\?(.*)/s, 2);
  const suffix = query === undefined ? '' : `?${query}`;
  const segments = path.split('/').slice(1);
  const join = (parts: string[]) => `/${parts.join('/')}`;
  const out = new Set<string>();
  segments.forEach((segment, i) => {
    // The first letter and the first digit of each segment, in lower- and upper-case hex: /%761, /v%31.
    const letter = /[A-Za-z]/.exec(segment);
    const digit = /[0-9]/.exec(segment);
    for (const match of [letter, digit]) {
      if (!match) continue;
      for (const upper of [false, true]) {
        const encoded = segment.slice(0, match.index) + hex(match[0], upper) + segment.slice(match.index + 1);
        out.add(join(segments.map((s, j) => (j === i ? encoded : s))));
      }
    }
    // Upper case, one segment at a time.
    out.add(join(segments.map((s, j) => (j === i ? s.toUpperCase() : s))));
    // This segment joined to the next one by an encoded slash: /v1%2Fevents, /v1%2fevents.
    if (i < segments.length - 1) {
      for (const slash of ['%2F', '%2f']) {
        out.add(join([...segments.slice(0, i), `${segment}${slash}${segments[i + 1] ?? ''}`, ...segments.slice(i + 2)]));
      }
    }
    // A doubled slash before this segment, and a dot segment: //v1/events, /v1//events, /./v1/events.
    for (const extra of ['', '.', '%2e', '%2E', 'x/..', 'x/%2e%2e']) {
      out.add(join([...segments.slice(0, i), ...(extra === '' ? [''] : extra.split('/')), ...segments.slice(i)]));
    }
  });
  out.add(path.toUpperCase());
  out.add(`${path}/`);
  out.add(`${path}//`);
  out.add(`${path}/.`);
  out.delete(path);
  return [...out].map((p) => p + suffix);
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The error code of a JSON error body, or '-'. */
  code: string;
}

/**
 * Sends requests with the path exactly as written, over a real socket. app.inject() resolves
 * dot segments and other spellings before the app sees them; a client on the network does not.
 */
export async function rawClient(app: FastifyInstance): Promise<(method: string, path: string, headers?: Record<string, string>, payload?: object) => Promise<RawResponse>> {
  if (!app.server.listening) await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  app.server.on('close', () => agent.destroy());
  return (method, path, headers = {}, payload) =>
    new Promise((resolve, reject) => {
      const body = payload === undefined ? undefined : JSON.stringify(payload);
      const request = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent,
          headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let code = '-';
            try {
              code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '-';
            } catch {
              // not JSON
            }
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text, code });
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
}
