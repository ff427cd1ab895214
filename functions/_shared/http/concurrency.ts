import type { MiddlewareHandler } from 'hono';

/**
 * At most `max` requests at once through the routes it guards; up to `queue` more wait at most
 * `waitMs` for a slot, and the rest get 503 with Retry-After at once. It keeps a burst of heavy
 * reads (each one a database query and megabytes of JSON) from taking every connection and all
 * the memory, so cheap routes and the ETL still get through.
 */

export interface ConcurrencyOptions {
  max: number;
  queue: number;
  waitMs: number;
}

/** Below the server's pool of 10 connections, so the ETL and the live stream always find one. */
export const READ_CONCURRENCY: ConcurrencyOptions = { max: 8, queue: 64, waitMs: 2_000 };

export function concurrencyLimit(options: ConcurrencyOptions): MiddlewareHandler {
  let active = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };

  /** Resolves true with a slot held, false when none came in time. */
  const acquire = (): Promise<boolean> => {
    if (active < options.max) {
      active += 1;
      return Promise.resolve(true);
    }
    if (waiting.length >= options.queue) return Promise.resolve(false);
    return new Promise((resolve) => {
      // A released slot passes straight to the next waiter, so `active` stays as it is.
      const grant = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const index = waiting.indexOf(grant);
        if (index >= 0) waiting.splice(index, 1);
        resolve(false);
      }, options.waitMs);
      waiting.push(grant);
    });
  };

  return async (c, next) => {
    if (!(await acquire())) {
      c.header('Retry-After', '1');
      return c.json({ error: 'busy: too many requests at once; retry in a second' }, 503);
    }
    try {
      await next();
    } finally {
      release();
    }
  };
}
