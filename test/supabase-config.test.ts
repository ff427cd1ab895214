import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../functions/_shared/etl/run.ts';
import { etlTrigger } from '../functions/_shared/http/etl-trigger.ts';
import { readMigrations } from '../server/migrate.ts';

/** The Supabase project files that need no database: migrations, config, import map. */

const ROOT = path.resolve(import.meta.dirname, '..');

describe('supabase/migrations', () => {
  it('is the only copy of the schema: no other directory holds migrations', async () => {
    const files = await readMigrations();
    expect(files.length).toBeGreaterThan(0);
    expect(new Set(files.map((f) => f.version)).size).toBe(files.length);
    // sql/ keeps analysts' example queries, never DDL the migrator would miss.
    const sqlDir = (await readdir(path.join(ROOT, 'sql'))).filter((name) => name.endsWith('.sql'));
    expect(sqlDir).toEqual(['examples.sql']);
  });
});

describe('supabase/config.toml', () => {
  const config = readFile(path.join(ROOT, 'supabase', 'config.toml'), 'utf8');
  const section = async (name: string) => {
    const text = await config;
    const start = text.indexOf(`[${name}]\n`);
    expect(start, `[${name}] in config.toml`).toBeGreaterThanOrEqual(0);
    const rest = text.slice(start + name.length + 3);
    return rest.slice(0, rest.search(/^\[/m) === -1 ? undefined : rest.search(/^\[/m));
  };
  const value = (text: string, key: string) => new RegExp(`^${key}\\s*=\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();

  it('declares market-etl with its own secret check instead of JWT verification, its entrypoint and import map in functions/', async () => {
    const fn = await section('functions.market-etl');
    expect(value(fn, 'verify_jwt')).toBe('false');
    expect(value(fn, 'enabled')).toBe('true');
    // Relative to supabase/, where config.toml lives.
    const entrypoint = JSON.parse(value(fn, 'entrypoint')!) as string;
    const importMap = JSON.parse(value(fn, 'import_map')!) as string;
    expect(path.resolve(ROOT, 'supabase', entrypoint)).toBe(path.join(ROOT, 'functions', 'market-etl', 'index.ts'));
    expect(path.resolve(ROOT, 'supabase', importMap)).toBe(path.join(ROOT, 'functions', 'market-etl', 'deno.json'));
    expect(existsSync(path.resolve(ROOT, 'supabase', entrypoint))).toBe(true);
  });

  it('targets PostgreSQL 15, exposes schema market to the Data API, and keeps workers alive for background runs', async () => {
    expect(value(await section('db'), 'major_version')).toBe('15');
    expect(JSON.parse(value(await section('api'), 'schemas')!)).toContain('market');
    expect(value(await section('api'), 'auto_expose_new_tables')).toBe('false');
    expect(value(await section('edge_runtime'), 'policy')).toBe('"per_worker"');
    const vault = await section('db.vault');
    expect(value(vault, 'project_url')).toBe('"env(SUPABASE_PROJECT_URL)"');
    expect(value(vault, 'market_etl_secret')).toBe('"env(ETL_SECRET)"');
  });
});

describe('functions/market-etl/deno.json', () => {
  async function importMap(): Promise<Record<string, string>> {
    return (
      JSON.parse(await readFile(path.join(ROOT, 'functions', 'market-etl', 'deno.json'), 'utf8')) as { imports: Record<string, string> }
    ).imports;
  }

  async function sourceFiles(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
  }

  it('pins every npm package to the exact version package.json pins', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const [specifier, target] of Object.entries(await importMap())) {
      const match = /^npm:(@?[^@/]+(?:\/[^@/]+)?)@([^/]+)(\/.*)?$/.exec(target);
      expect(match, `${specifier} -> ${target} is an npm: specifier with a version`).not.toBeNull();
      const [, name, version] = match!;
      expect(`${name}@${version}`, specifier).toBe(`${name}@${pkg.dependencies[name!]}`);
    }
  });

  it('maps every bare import of the function and the shared code it runs', async () => {
    const map = await importMap();
    const files = [...(await sourceFiles(path.join(ROOT, 'functions', '_shared'))), path.join(ROOT, 'functions', 'market-etl', 'index.ts')];
    const bare = new Set<string>();
    for (const file of files) {
      for (const [, specifier] of (await readFile(file, 'utf8')).matchAll(/\bfrom\s+'([^'.][^']*)'/g)) {
        // node: built-ins are Deno's own (and the Edge Runtime's); everything else needs an entry.
        if (!specifier!.startsWith('node:')) bare.add(specifier!);
      }
    }
    expect(bare.size).toBeGreaterThan(0);
    for (const specifier of bare) expect(map, `${specifier} in the import map`).toHaveProperty([specifier]);
  });
});

describe('the ETL trigger in the Edge Function', () => {
  const SECRET = 'trigger-secret-0123456789';
  const summary = (id: number): RunSummary => ({
    etl_run_id: id,
    status: 'succeeded',
    trigger: 'cron',
    bars_upserted: 1,
    ssot_rows_written: 1,
    credits_used: 1,
    symbols_loaded: 1,
    symbols_failed: 0,
    bars_rejected: 0,
    error: null,
    duration_ms: 1,
    invocation: 1,
    steps: 1,
    stopped_by_budget: null,
  });
  const post = (app: ReturnType<typeof etlTrigger>, headers: Record<string, string>, body?: unknown) =>
    app.request('/', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("answers 202 at once where the runtime can finish the run in the background, and hands on the cron job's request id", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls: [string, number | null][] = [];
    const background: Promise<RunSummary>[] = [];
    const app = etlTrigger({
      secret: SECRET,
      run: async (trigger, etlRequestId) => {
        calls.push([trigger, etlRequestId]);
        await gate;
        return summary(7);
      },
      background: (run) => background.push(run),
    });

    const response = await post(app, { apikey: SECRET, 'x-market-trigger': 'cron' }, { etl_request_id: 42 });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: 'accepted', trigger: 'cron' });
    expect(calls).toEqual([['cron', 42]]);
    release();
    await expect(background[0]).resolves.toMatchObject({ etl_run_id: 7 });
  });

  it('waits for the run and answers with its summary where there is no background, and refuses without the secret either way', async () => {
    const calls: (number | null)[] = [];
    const run = async (_trigger: string, etlRequestId: number | null) => {
      calls.push(etlRequestId);
      return summary(8);
    };
    const waiting = etlTrigger({ secret: SECRET, run });
    const response = await post(waiting, { apikey: SECRET });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ etl_run_id: 8, status: 'succeeded' });
    expect((await post(waiting, { apikey: SECRET }, { etl_request_id: 'not a number' })).status).toBe(200);
    expect(calls).toEqual([null, null]);

    const background = etlTrigger({ secret: SECRET, run, background: () => {} });
    for (const app of [waiting, background]) {
      expect((await post(app, {})).status).toBe(401);
      expect((await post(app, { apikey: `${SECRET}x` })).status).toBe(401);
    }
    expect(calls.length).toBe(2);
  });
});
