import { HTTPException } from 'hono/http-exception';
import type { Context } from 'hono';
import type { z } from 'zod';
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

export function handleError(error: Error, c: Context): Response {
  if (error instanceof HTTPException) {
    return error.res ?? c.json({ error: error.message }, error.status);
  }
  // A read cut off by its statement timeout (read-timeout.ts): the database is busy, not broken.
  if ((error as { code?: unknown }).code === '57014') {
    c.header('Retry-After', '5');
    return c.json({ error: 'the database took too long to answer; retry shortly' }, 503);
  }
  console.error(`[http] ${c.req.method} ${loggable(new URL(c.req.url).pathname, 200)} failed: ${loggable(error.message)}`);
  return c.json({ error: 'internal error' }, 500);
}
