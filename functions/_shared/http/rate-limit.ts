import type { Context, MiddlewareHandler } from 'hono';

/**
 * A fixed-window limit per caller, in memory: enough to keep a leaked URL or a retry storm
 * from hammering the ETL trigger (each call may spend API credits). Callers are told when
 * to come back.
 */

export interface RateLimitOptions {
  /** Requests allowed per window and caller. */
  limit: number;
  windowMs: number;
  /** Who is calling; the socket address where the runtime exposes it. */
  key: (c: Context) => string;
  now?: () => number;
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  return async (c, next) => {
    const at = now();
    const key = options.key(c);
    let window = windows.get(key);
    if (!window || at - window.start >= options.windowMs) {
      // Forget finished windows so the map cannot grow with the number of callers ever seen.
      for (const [stale, entry] of windows) if (at - entry.start >= options.windowMs) windows.delete(stale);
      window = { start: at, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    if (window.count > options.limit) {
      const retryAfter = Math.ceil((window.start + options.windowMs - at) / 1000);
      c.header('Retry-After', String(retryAfter));
      return c.json({ error: `rate limited: at most ${options.limit} calls per ${options.windowMs / 1000} s; retry in ${retryAfter} s` }, 429);
    }
    await next();
  };
}
