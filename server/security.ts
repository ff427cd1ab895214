import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';

/**
 * What the Node server tells browsers: a strict Content-Security-Policy for the dashboard
 * (our own scripts and styles only, data only from this origin) and CORS for the read API
 * only toward origins the operator lists.
 */

export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'none'"],
    },
    // Served on loopback over plain HTTP by default; HSTS belongs to whatever terminates TLS.
    strictTransportSecurity: false,
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
  });
}

/** No origins: no CORS headers at all, so browsers keep other sites out of the API. */
export function apiCors(origins: readonly string[]): MiddlewareHandler {
  if (origins.length === 0) return async (_c, next) => next();
  return cors({ origin: [...origins], allowMethods: ['GET'], maxAge: 600 });
}
