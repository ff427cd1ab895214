import { type Context, Hono } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import { z } from 'zod';
import type { RunSummary } from '../etl/run.ts';
import { type FixedWindowLimiter, rateLimited } from './rate-limit.ts';

/**
 * POST / runs the ETL now. The caller proves it holds ETL_SECRET in the `apikey` header
 * (what pg_net sends) or as a Bearer token; the comparison takes constant time.
 * Where the runtime can finish work after the response (Supabase's EdgeRuntime.waitUntil),
 * the trigger answers 202 at once, so pg_net's 5-second timeout never cuts a run short;
 * the run's outcome is in market.etl_run either way.
 */

export interface EtlTriggerDeps {
  /** null: no secret configured, so the trigger refuses everyone. */
  secret: string | null;
  /** etlRequestId: the market.etl_request row of the cron job that asked, when the body names one. */
  run: (trigger: string, etlRequestId: number | null) => Promise<RunSummary>;
  /** Keeps the run alive after the response; absent, the response waits for the run and carries its summary. */
  background?: (run: Promise<RunSummary>) => void;
  /**
   * Per-caller limits, counted only AFTER the secret is checked: wrong-secret calls count against
   * `refused`, right-secret calls against `accepted`. So blind POSTs (any web page can send them)
   * lock out only their sender's guesses, never a caller who holds the secret.
   */
  limits?: { key: (c: Context) => string; refused: FixedWindowLimiter; accepted: FixedWindowLimiter };
}

function presentedSecret(apikey: string | undefined, authorization: string | undefined): string | null {
  if (apikey) return apikey;
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  return bearer?.[1] ?? null;
}

async function isAuthorised(secret: string | null, presented: string | null): Promise<boolean> {
  if (!secret || !presented) return false;
  return await timingSafeEqual(secret, presented);
}

// running: the invocation stopped at its budget and the run goes on in the next one.
const STATUS_CODE = { succeeded: 200, partial: 200, running: 202, skipped: 409, failed: 500 } as const;

// What the hourly cron job posts (supabase/migrations/20260101014000_etl_schedule.sql); any other body, or none, is fine too.
const cronBody = z.object({ etl_request_id: z.number().int().positive() });

export function etlTrigger(deps: EtlTriggerDeps): Hono {
  const app = new Hono();
  app.post('/', async (c) => {
    const presented = presentedSecret(c.req.header('apikey'), c.req.header('authorization'));
    const authorised = await isAuthorised(deps.secret, presented);
    if (deps.limits) {
      const limiter = authorised ? deps.limits.accepted : deps.limits.refused;
      const decision = limiter.hit(deps.limits.key(c));
      if (!decision.allowed) return rateLimited(c, limiter, decision.retryAfterSeconds);
    }
    if (!authorised) {
      return c.json({ error: 'unauthorised: send ETL_SECRET in the apikey header or as a Bearer token' }, 401);
    }
    const trigger = c.req.header('x-market-trigger') === 'cron' ? 'cron' : 'http';
    const body = cronBody.safeParse(await c.req.json().catch(() => null));
    const etlRequestId = body.success ? body.data.etl_request_id : null;
    if (deps.background) {
      deps.background(deps.run(trigger, etlRequestId));
      return c.json({ status: 'accepted', trigger }, 202);
    }
    const summary = await deps.run(trigger, etlRequestId);
    return c.json(summary, STATUS_CODE[summary.status]);
  });
  return app;
}
