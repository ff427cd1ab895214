import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';
import { isDatabaseUnavailable } from '../db.ts';
import { loggable } from '../log-text.ts';

/** Errors as data: every refusal is JSON with a status and what to fix. */

export function validationError(error: z.ZodError): HTTPException {
  const problems = error.issues.map((issue) => ({ field: issue.path.join('.') || null, message: issue.message }));
  return new HTTPException(400, {
    res: new Response(JSON.stringify({ error: 'invalid request', problems }), {
      status: 400,
      headers: { 'content-type': 'application/json' },
    }),
  });
}

/** Seconds a client is asked to wait before trying again while the database is away. */
export const RETRY_AFTER_S = 5;

/** The 503 a request gets while the database cannot answer: nothing was wrong with the request, so try again. */
export function databaseUnavailable(c: Context, reason = 'the database is unreachable'): Response {
  c.header('Retry-After', String(RETRY_AFTER_S));
  return c.json({ error: `${reason}; try again in ${RETRY_AFTER_S} s`, retry_after_s: RETRY_AFTER_S }, 503);
}

function statementTimedOut(error: Error): boolean {
  return (error as { code?: unknown }).code === '57014';
}

export function handleError(error: Error, c: Context): Response {
  if (error instanceof HTTPException) {
    return error.res ?? c.json({ error: error.message }, error.status);
  }
  const route = `${c.req.method} ${loggable(new URL(c.req.url).pathname, 200)}`;
  if (isDatabaseUnavailable(error)) {
    console.error(`[http] ${route}: the database is unreachable (${(error as { code?: string }).code})`);
    return databaseUnavailable(c);
  }
  if (statementTimedOut(error)) {
    console.error(`[http] ${route}: the query took too long and was cancelled`);
    return databaseUnavailable(c, 'the database took too long to answer');
  }
  console.error(`[http] ${route} failed: ${loggable(error.message)}`);
  return c.json({ error: 'internal error' }, 500);
}
