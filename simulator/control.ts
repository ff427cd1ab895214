import { Hono } from 'hono';
import { z } from 'zod';
import type { SimulatorFaults } from './faults.ts';
import { faultsPatchSchema } from './faults.ts';

/** What the control routes need from the simulator. */
export interface ControlTarget {
  now(): number;
  setClock(nowMs: number): void;
  advanceClock(ms: number): void;
  usage(): { minute: number; day: number };
  faults(): SimulatorFaults;
  setFaults(patch: Partial<SimulatorFaults>): void;
  resetFaults(): void;
  limits: { creditsPerMinute: number; creditsPerDay: number };
}

const clockSchema = z.union([
  z.strictObject({ nowMs: z.number().int().nonnegative().max(8.64e15) }),
  z.strictObject({ advanceMs: z.number().int().min(-8.64e15).max(8.64e15) }),
]);

function state(target: ControlTarget) {
  const nowMs = target.now();
  return {
    nowMs,
    now: new Date(nowMs).toISOString(),
    usage: target.usage(),
    limits: target.limits,
    faults: target.faults(),
  };
}

/**
 * `/__sim/*`: not part of the Twelve Data API. Lets a test or an operator drive a simulator running
 * in another process. Bad bodies get a 400 in the API's error shape, listing what zod rejected.
 */
export function controlRoutes(target: ControlTarget): Hono {
  const routes = new Hono();

  // Only JSON may change anything: a web page can POST text/plain (or a form) to any address
  // without a preflight, but not application/json, so this keeps other sites from switching faults.
  routes.post('*', async (c, next) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return c.json({ code: 415, message: 'Control requests must be sent as Content-Type: application/json.', status: 'error' }, 415);
    }
    await next();
  });

  const readBody = async <T>(request: Request, schema: z.ZodType<T>): Promise<{ ok: true; value: T } | { ok: false; message: string }> => {
    let json: unknown;
    try {
      json = await request.json();
    } catch {
      return { ok: false, message: 'Body must be JSON.' };
    }
    const parsed = schema.safeParse(json);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: z.prettifyError(parsed.error) };
  };

  routes.get('/state', (c) => c.json(state(target)));

  routes.post('/faults', async (c) => {
    const body = await readBody(c.req.raw, faultsPatchSchema);
    if (!body.ok) return c.json({ code: 400, message: body.message, status: 'error' }, 400);
    target.setFaults(body.value);
    return c.json(state(target));
  });

  routes.post('/faults/reset', (c) => {
    target.resetFaults();
    return c.json(state(target));
  });

  routes.post('/clock', async (c) => {
    const body = await readBody(c.req.raw, clockSchema);
    if (!body.ok) return c.json({ code: 400, message: body.message, status: 'error' }, 400);
    if ('nowMs' in body.value) target.setClock(body.value.nowMs);
    else target.advanceClock(body.value.advanceMs);
    return c.json(state(target));
  });

  return routes;
}
