import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What Supabase's gateway does in front of an Edge Function: it takes `/functions/v1/<name>/...`
 * and hands the function `/<name>/...`. The function behind it can be swapped (a restarted Deno
 * process has a new port) while the gateway's URL, which Vault holds as project_url, stays.
 */

export interface ForwardedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Gateway {
  url: string;
  /** Every request the gateway received, in order. */
  requests: ForwardedRequest[];
  /** Where requests go now: a served function's base URL, or null (then 503, as for a function that is down). */
  target: string | null;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startGateway(): Promise<Gateway> {
  const gateway: Gateway = { url: '', requests: [], target: null, close: async () => {} };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      const path = request.url ?? '/';
      gateway.requests.push({ method: request.method ?? 'GET', path, headers, body });
      if (!path.startsWith('/functions/v1/') || gateway.target === null) {
        response.writeHead(gateway.target === null ? 503 : 404).end();
        return;
      }
      try {
        const forwarded = await fetch(`${gateway.target}${path.slice('/functions/v1'.length)}`, {
          method: request.method,
          headers: { 'content-type': headers['content-type'] ?? 'application/json', ...pick(headers) },
          body: request.method === 'GET' ? undefined : body,
        });
        const text = await forwarded.text();
        response.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'text/plain' }).end(text);
      } catch {
        // The function died mid-request: what the platform answers then.
        if (!response.headersSent) response.writeHead(502);
        response.end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gateway.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return gateway;
}

/** The headers a function reads; hop-by-hop ones stay with the gateway. */
function pick(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ['apikey', 'authorization', 'x-market-trigger']) if (headers[name] !== undefined) kept[name] = headers[name]!;
  return kept;
}
