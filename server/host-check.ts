import type { MiddlewareHandler } from 'hono';

/**
 * Answers only requests whose `Host` names this server. A web page on another site can point its
 * own domain at 127.0.0.1 (DNS rebinding) and then read the API as "same origin"; its requests
 * still carry that domain in `Host`, so they are refused here with 421 Misdirected Request.
 */

/** Names that always mean this machine. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1'] as const;

/** The host name of a `Host` header, lower-case, without port or IPv6 brackets; null when malformed. */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::\d{1,5})?$/i.exec(header.trim());
  const name = match?.[1] ?? match?.[2];
  return name ? name.toLowerCase().replace(/\.$/, '') : null;
}

export function hostAllowList(extra: readonly string[] = []): MiddlewareHandler {
  const allowed = new Set([...LOOPBACK_HOSTS, ...extra.map((name) => name.toLowerCase())]);
  return async (c, next) => {
    const name = hostName(c.req.header('host'));
    if (name === null || !allowed.has(name)) {
      return c.json({ error: 'this server does not answer for that Host; add it to ALLOWED_HOSTS if it is yours' }, 421);
    }
    await next();
  };
}
