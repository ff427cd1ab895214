import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import type { Sql } from '../functions/_shared/db.ts';
import type { Answers } from '../functions/_shared/http/read-api.ts';

/**
 * The read API's answers, computed once per data version. The data changes only when an ETL run
 * commits, and every commit is announced (NOTIFY market_bars / market_runs, migration 20260101000200_live_notify),
 * so an answer rendered once (JSON, then gzip and brotli) is served as bytes until the next
 * announcement. The announcement bumps the version and drops every answer at once: the same
 * message that makes the dashboards refetch, so their refetch can never be served an old answer.
 *
 * Race: an answer is stored only under the version that was current when its query started, and
 * only if no announcement came while it ran; an answer read before a commit is never filed under
 * the version after it. Until LISTEN is established (and again after every reconnect, when
 * announcements may have been missed) nothing is kept.
 */

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** Bytes a Response takes as its body (copied once out of Node's pooled Buffers). */
type Bytes = Uint8Array<ArrayBuffer>;

/** Whole bytes of one cached answer: its JSON (or HTML) and both compressed copies. */
interface Entry {
  etag: string;
  contentType: string;
  identity: Bytes;
  gzip: Bytes;
  br: Bytes;
  bytes: number;
  /** The fast path's complete response headers per encoding (and for a 304), built once. */
  wire?: Record<Encoding | 'notModified', Record<string, string>>;
}

type Encoding = 'br' | 'gzip' | 'identity';

interface Recipe {
  render: () => Promise<unknown>;
  hits: number;
}

export interface AnswerCacheOptions {
  /** Bound on what the cache holds: JSON plus compressed copies plus keys (default 32 MiB). */
  maxBytes?: number;
  /** How many of the most asked answers to render again after each commit (default 16). */
  warm?: number;
  /** Wait this long after the last announcement before warming, so the dashboards' own refetches go first. */
  warmDelayMs?: number;
  /**
   * How often the cache checks that it still hears announcements (default 5 s): a NOTIFY of its own
   * that must come back on the LISTEN connection before the next check.
   */
  heartbeatMs?: number;
  log?: (line: string) => void;
}

export interface AnswerCache extends Answers {
  /**
   * Middleware, first in line, that answers a request whose exact URL was validated and answered
   * before straight from the cache: no routing, no query parsing, the other middleware's headers
   * replayed from the first full answer. Anything else goes on down the chain.
   */
  fastPath: MiddlewareHandler;
  /** `respond` for a document (the dashboard's page): kept alike, but its URL is never given to the fast path. */
  respondDocument(c: Context, key: string, render: () => Promise<unknown>): Promise<Response>;
  /** The data version: bumped by every announcement. */
  version(): number;
  /** Bytes held now, never above `maxBytes`. */
  bytes(): number;
  entries(): number;
  /** Bytes of the request URLs remembered for the fast path. */
  urlBytes(): number;
  /** Drops every answer (what an announcement does); exposed for tests and the bench. */
  invalidate(): void;
  /** Resolves once LISTEN is established (answers are kept from then on). */
  ready: Promise<void>;
  /** Resolves when the warm-up after the latest announcement has finished. */
  warmed(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;
/** What the dashboard and most clients may do with an answer: keep it, but ask again (a 304 if unchanged). */
export const CACHE_CONTROL = 'public, max-age=0, must-revalidate';
const RECIPES = 64;
/** The cache's own announcement, proving its LISTEN connection still hears. */
const HEARTBEAT_CHANNEL = 'market_cache_heartbeat';
/** Headers that belong to one answer, never copied from another. */
const ENTRY_HEADERS = new Set([
  'etag',
  'cache-control',
  'vary',
  'content-type',
  'content-length',
  'content-encoding',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
]);
/** Exact request URLs remembered for the fast path; past this many, or this many bytes of URL, the map starts over. */
const ALIASES = 4096;
const ALIAS_BYTES = 1024 * 1024;
/** A URL longer than this is answered but never remembered: no dashboard asks for one. */
const ALIAS_URL_MAX = 2048;

/**
 * What a render returns for an answer that is a document, not a JSON value: the dashboard's page,
 * which carries its first reads' answers and so changes with the data like they do.
 */
export class HtmlDocument {
  constructor(readonly html: string) {}
}

function etagOf(body: Buffer): string {
  return `W/"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
}

/** br, then gzip, then none; a coding with q=0 is refused. */
export function negotiateEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  const accepted = new Set<string>();
  for (const part of header.toLowerCase().split(',')) {
    const [name = '', ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return 'identity';
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || weak(tag) === weak(etag));
}

async function renderEntry(render: () => Promise<unknown>): Promise<Entry> {
  const value = await render();
  const html = value instanceof HtmlDocument;
  const identity = Buffer.from(html ? value.html : JSON.stringify(value));
  const [gz, br] = await Promise.all([
    gzipAsync(identity, { level: 6 }),
    // Quality 5: most of brotli's gain over gzip on JSON at a small share of quality 11's CPU.
    brotliAsync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
  ]);
  return {
    etag: etagOf(identity),
    contentType: html ? 'text/html; charset=utf-8' : 'application/json',
    identity: new Uint8Array(identity),
    gzip: new Uint8Array(gz),
    br: new Uint8Array(br),
    bytes: identity.length + gz.length + br.length,
  };
}

/**
 * Built with `c.body`, not `new Response`: a Response handed back to Hono gets copied into a stream
 * when middleware adds headers, and the Node adapter then streams it instead of writing the bytes.
 */
export function send(c: Context, entry: Entry, outer: Record<string, string> = {}): Response {
  const headers: Record<string, string> = { ...outer, etag: entry.etag, 'cache-control': CACHE_CONTROL, vary: 'Accept-Encoding' };
  if (matches(c.req.header('if-none-match'), entry.etag)) return c.body(null, 304, headers);
  const encoding = negotiateEncoding(c.req.header('accept-encoding'));
  const body = encoding === 'br' ? entry.br : encoding === 'gzip' ? entry.gzip : entry.identity;
  headers['content-type'] = entry.contentType;
  headers['content-length'] = String(body.length);
  if (encoding !== 'identity') headers['content-encoding'] = encoding;
  return c.body(body, 200, headers);
}

/** On Node, the adapter hands over the raw request: its headers and URL cost nothing to read. */
function incomingOf(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

/** What the fast path knows a request by: its path and query as sent. */
function requestKey(c: Context): string {
  const incoming = incomingOf(c);
  if (incoming?.url) return incoming.url;
  const url = new URL(c.req.url);
  return url.pathname + url.search;
}

/**
 * The fast path's answer: a plain Response with plain header objects made once per entry, which the
 * Node adapter writes out as is (no Headers object, no copy of the body).
 */
function sendFast(c: Context, entry: Entry, outer: Record<string, string>): Response {
  entry.wire ??= wireHeaders(entry, outer);
  const incoming = incomingOf(c);
  const header = (name: string) => (incoming ? (incoming.headers[name] as string | undefined) : c.req.header(name));
  if (matches(header('if-none-match'), entry.etag)) return new Response(null, { status: 304, headers: entry.wire.notModified });
  const encoding = negotiateEncoding(header('accept-encoding'));
  return new Response(entry[encoding], { status: 200, headers: entry.wire[encoding] });
}

function wireHeaders(entry: Entry, outer: Record<string, string>): NonNullable<Entry['wire']> {
  const notModified = { ...outer, etag: entry.etag, 'cache-control': CACHE_CONTROL, vary: 'Accept-Encoding' };
  const body = (encoding: Encoding) => ({
    ...notModified,
    'content-type': entry.contentType,
    'content-length': String(entry[encoding].length),
    ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
  });
  return { notModified, br: body('br'), gzip: body('gzip'), identity: body('identity') };
}

/** Whether a `market_runs` announcement is a run starting (`{"status":"running"}`), not one ending. */
function runStarted(payload: string): boolean {
  try {
    return (JSON.parse(payload) as { status?: unknown }).status === 'running';
  } catch {
    return false;
  }
}

export function createAnswerCache(sql: Sql, options: AnswerCacheOptions = {}): AnswerCache {
  const maxBytes = options.maxBytes ?? DEFAULT_CACHE_BYTES;
  // One answer may take at most an eighth of the bound, so a huge query cannot empty the cache.
  const maxEntryBytes = Math.floor(maxBytes / 8);
  const log = options.log ?? ((line: string) => console.error(line));
  let version = 0;
  let listening = false;
  let closed = false;
  let held = 0;
  // A Map iterates in insertion order; a hit re-inserts, so the first key is the least recently used.
  const entries = new Map<string, Entry & { keyBytes: number }>();
  const inflight = new Map<string, { version: number; promise: Promise<Entry> }>();
  const recipes = new Map<string, Recipe>();
  /** Request URL -> cache key, filled only by routes that validated the URL. */
  const aliases = new Map<string, string>();
  let aliasBytes = 0;
  let outer: Record<string, string> | undefined;
  let warmTimer: ReturnType<typeof setTimeout> | undefined;
  let warming: Promise<void> = Promise.resolve();
  /** Settles when the warm-up scheduled by the latest announcement has run. */
  let scheduled: { promise: Promise<void>; resolve: () => void } | undefined;
  const listeningOn = new Set<string>();

  function store(key: string, entry: Entry): void {
    const keyBytes = key.length * 2;
    const size = entry.bytes + keyBytes;
    if (size > maxEntryBytes) return;
    const old = entries.get(key);
    if (old) {
      held -= old.bytes + old.keyBytes;
      entries.delete(key);
    }
    while (held + size > maxBytes) {
      const [oldestKey, oldest] = entries.entries().next().value!;
      entries.delete(oldestKey);
      held -= oldest.bytes + oldest.keyBytes;
    }
    entries.set(key, { ...entry, keyBytes });
    held += size;
  }

  /** Renders once per key and version however many ask at once; keeps it only if the version held. */
  function build(key: string, render: () => Promise<unknown>): Promise<Entry> {
    const started = version;
    const running = inflight.get(key);
    if (running && running.version === started) return running.promise;
    const promise = renderEntry(render)
      .then((entry) => {
        if (listening && version === started && !closed) store(key, entry);
        return entry;
      })
      .finally(() => {
        if (inflight.get(key)?.promise === promise) inflight.delete(key);
      });
    inflight.set(key, { version: started, promise });
    return promise;
  }

  function remember(key: string, render: () => Promise<unknown>): void {
    const recipe = recipes.get(key);
    recipes.delete(key);
    recipes.set(key, { render, hits: (recipe?.hits ?? 0) + 1 });
    if (recipes.size > RECIPES) recipes.delete(recipes.keys().next().value!);
  }

  /** After a commit: the most asked answers rendered again, one at a time, before anyone asks. */
  async function warm(): Promise<void> {
    const wanted = [...recipes.entries()].sort((a, b) => b[1].hits - a[1].hits).slice(0, options.warm ?? 16);
    for (const [key, recipe] of wanted) {
      recipe.hits = Math.ceil(recipe.hits / 2);
      if (closed || !listening) return;
      if (entries.has(key)) continue;
      try {
        await build(key, recipe.render);
      } catch (error) {
        // The pool is shutting down: nothing left to warm for.
        if (['CONNECTION_ENDED', 'CONNECTION_DESTROYED'].includes((error as { code?: string }).code ?? '')) return;
        log(`[read-cache] warming ${key} failed: ${(error as Error).message}`);
      }
    }
  }

  function invalidate(): void {
    version++;
    entries.clear();
    held = 0;
    if (closed || (options.warm ?? 16) === 0) return;
    clearTimeout(warmTimer);
    if (!scheduled) {
      let resolve = () => {};
      const promise = new Promise<void>((r) => (resolve = r));
      scheduled = { promise, resolve };
    }
    const done = scheduled;
    warmTimer = setTimeout(() => {
      scheduled = undefined;
      warming = warming.then(warm);
      void warming.then(done.resolve);
    }, options.warmDelayMs ?? 200);
  }

  // LISTEN can be lost while the pool still answers (a connection limit, a pooler ending idle
  // sessions), and postgres.js says when LISTEN is back but not when it is gone. So the cache
  // announces a heartbeat of its own and must hear it before the next one: when it does not,
  // nothing it holds can be trusted to be current, so everything is dropped and nothing kept
  // until a heartbeat is heard again. Answers are never older than two heartbeats.
  let heartbeatSent = 0;
  let heartbeatHeard = 0;
  // Several servers may share a database, each with its cache and heartbeat: only its own count.
  const heartbeatFrom = `${randomUUID()}:`;
  let deaf = false;
  const heartbeat = setInterval(() => {
    if (closed) return;
    if (heartbeatSent > heartbeatHeard && !deaf) {
      deaf = true;
      listening = false;
      entries.clear();
      held = 0;
      log('[read-cache] announcements are not heard (LISTEN is down): answers are not kept until they are');
    }
    heartbeatSent++;
    sql`select pg_notify(${HEARTBEAT_CHANNEL}, ${heartbeatFrom + String(heartbeatSent)})`.catch(() => {
      // The database is away: the next check finds this heartbeat unheard.
    });
  }, options.heartbeatMs ?? 5_000);
  heartbeat.unref?.();
  const heard = sql.listen(HEARTBEAT_CHANNEL, (payload) => {
    if (!payload.startsWith(heartbeatFrom)) return;
    heartbeatHeard = Math.max(heartbeatHeard, Number(payload.slice(heartbeatFrom.length)) || 0);
    if (deaf && heartbeatHeard >= heartbeatSent) {
      deaf = false;
      // Announcements made meanwhile were missed: start from nothing.
      invalidate();
      listening = listeningOn.size === CHANNELS.length;
    }
  });

  const CHANNELS = ['market_bars', 'market_runs'];
  const channels = CHANNELS.map((channel) =>
    sql.listen(
      channel,
      (payload) => {
        // A run starting changes no data (its bars come with their own announcement): nothing to drop.
        if (channel === 'market_runs' && runStarted(payload)) return;
        invalidate();
      },
      () => {
        // (Re)connected: announcements may have been missed while the connection was down.
        invalidate();
        listeningOn.add(channel);
        listening = listeningOn.size === CHANNELS.length && !deaf;
      },
    ),
  );
  const ready = Promise.all(channels).then(
    () => {},
    (error: Error) => {
      // Without LISTEN the cache keeps nothing and every request is rendered, as before.
      log(`[read-cache] LISTEN failed, answers are not cached: ${error.message}`);
    },
  );

  async function respond(c: Context, key: string, render: () => Promise<unknown>, alias: boolean): Promise<Response> {
    const cached = entries.get(key);
    remember(key, render);
    const url = requestKey(c);
    if (alias && url.length <= ALIAS_URL_MAX && !aliases.has(url)) {
      if (aliases.size >= ALIASES || aliasBytes + url.length > ALIAS_BYTES) {
        aliases.clear();
        aliasBytes = 0;
      }
      aliases.set(url, key);
      aliasBytes += url.length;
    }
    if (cached) {
      entries.delete(key);
      entries.set(key, cached);
      return send(c, cached);
    }
    return send(c, await build(key, render));
  }

  return {
    async fastPath(c, next) {
      const key = c.req.method === 'GET' ? aliases.get(requestKey(c)) : undefined;
      const cached = key === undefined ? undefined : entries.get(key);
      if (cached && outer) {
        entries.delete(key!);
        entries.set(key!, cached);
        const recipe = recipes.get(key!);
        if (recipe) recipe.hits++;
        return sendFast(c, cached, outer);
      }
      await next();
      // The headers the middleware after this one adds to every answer (security headers), taken
      // from the first full answer, so the fast path sends the same bytes without running them.
      if (!outer && c.res.status === 200 && c.res.headers.has('etag')) {
        outer = Object.fromEntries([...c.res.headers].filter(([name]) => !ENTRY_HEADERS.has(name) && !name.startsWith('access-control-')));
      }
    },
    respond: (c, key, render) => respond(c, key, render, true),
    // No alias: the fast path serves the read API only, and a document's URL is not validated.
    respondDocument: (c, key, render) => respond(c, key, render, false),
    version: () => version,
    bytes: () => held,
    entries: () => entries.size,
    urlBytes: () => aliasBytes,
    invalidate,
    ready,
    warmed: () => scheduled?.promise ?? warming,
    async close() {
      closed = true;
      listening = false;
      clearInterval(heartbeat);
      clearTimeout(warmTimer);
      scheduled?.resolve();
      entries.clear();
      held = 0;
      const handles = await Promise.allSettled([...channels, heard]);
      await Promise.all(handles.map((h) => (h.status === 'fulfilled' ? h.value.unlisten().catch(() => {}) : undefined)));
    },
  };
}
