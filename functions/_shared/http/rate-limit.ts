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
  now?: () => number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Counts calls per key; the caller decides which calls count (e.g. only refused ones). */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly now: () => number;
  constructor(readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now;
  }

  hit(key: string): RateDecision {
    const at = this.now();
    const { limit, windowMs } = this.options;
    let window = this.windows.get(key);
    if (!window || at - window.start >= windowMs) {
      // Forget finished windows so the map cannot grow with the number of callers ever seen.
      for (const [stale, entry] of this.windows) if (at - entry.start >= windowMs) this.windows.delete(stale);
      window = { start: at, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    if (window.count <= limit) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.start + windowMs - at) / 1000)) };
  }
}

/** The 429 a limited caller gets. */
export function rateLimited(c: Context, limiter: FixedWindowLimiter, retryAfterSeconds: number): Response {
  const { limit, windowMs } = limiter.options;
  c.header('Retry-After', String(retryAfterSeconds));
  return c.json({ error: `rate limited: at most ${limit} calls per ${windowMs / 1000} s; retry in ${retryAfterSeconds} s` }, 429);
}

/** Every call counts, whatever its outcome. */
export function rateLimit(options: RateLimitOptions & { key: (c: Context) => string }): MiddlewareHandler {
  const limiter = new FixedWindowLimiter(options);
  return async (c, next) => {
    const decision = limiter.hit(options.key(c));
    if (!decision.allowed) return rateLimited(c, limiter, decision.retryAfterSeconds);
    await next();
  };
}
