import { readdir, readFile, readlink } from 'node:fs/promises';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProduct, removeWorkDir, startProduct } from './helpers/product.ts';

/**
 * 15 MB of upstream error text, run after run, with live clients that never read: the product's
 * memory stays flat, what goes out is a summary, and the log lines cannot be forged.
 */

const ERROR_TEXT_BYTES = 15 * 1024 * 1024;
const SLOW_CLIENTS = 12;

let product: RunningProduct;
const sockets: net.Socket[] = [];

/** Resident memory of the product's Node processes (tsx and the server it starts), in bytes. */
async function productRss(): Promise<number> {
  let total = 0;
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    try {
      if ((await readlink(`/proc/${pid}/cwd`)) !== product.cwd) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('start.ts')) continue;
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      total += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return total;
}

/** An SSE client that sends its request and then never reads a byte. */
function slowClient(url: string, localAddress: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port), localAddress }, () => {
      socket.write(`GET /api/stream HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

async function faultyRun(): Promise<{ etl_run_id: number; status: string; error: string | null }> {
  const response = await fetch(`${product.url}/functions/v1/market-etl`, { method: 'POST', headers: { apikey: await product.secret() } });
  expect(response.status).toBe(200);
  return (await response.json()) as { etl_run_id: number; status: string; error: string | null };
}

beforeAll(async () => {
  product = await startProduct({ MARKET_SYMBOLS: 'AAPL,BTC/USD,NOPE' });
  await product.settledRun();
  const res = await fetch(`${product.simulatorUrl()}/__sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ unknownSymbols: ['NOPE'], errorTextBytes: ERROR_TEXT_BYTES }),
  });
  expect(res.status).toBe(200);
}, 180_000);
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await product?.stop();
  if (product) await removeWorkDir(product.cwd);
});

describe('bounded output', () => {
  it("keeps the server's memory flat through runs with 15 MB of error text and live clients that never read", async () => {
    // One run first, so the heap has grown to what one 15 MB body needs before we measure.
    expect((await faultyRun()).status).toBe('partial');
    for (let i = 0; i < SLOW_CLIENTS; i++) sockets.push(await slowClient(product.url, `127.0.0.${1 + (i % 4)}`));
    const before = await productRss();
    expect(before).toBeGreaterThan(0);

    for (let i = 0; i < 3; i++) {
      const summary = await faultyRun();
      expect(summary.status).toBe('partial');
      expect(summary.error!.length).toBeLessThanOrEqual(2_001);
    }
    const after = await productRss();
    expect(after - before, `RSS grew from ${before >> 20} MB to ${after >> 20} MB`).toBeLessThan(100 * 1024 * 1024);

    // What clients get about the run is a summary: no details, the error cut short.
    const { run } = (await (await fetch(`${product.url}/api/runs/latest`)).json()) as { run: Record<string, unknown> & { error: string } };
    expect(run).toMatchObject({ status: 'partial', symbols_loaded: 2, symbols_failed: 1 });
    expect(run.details).toBeUndefined();
    expect(run.error.length).toBeLessThanOrEqual(300);
    expect(run.error).toMatch(/NOPE: \*\*symbol\*\* not found/);
  }, 300_000);

  it('escapes the control characters upstream text carries: no forged log lines, no terminal codes', async () => {
    const output = product.output();
    // The error text carried newlines followed by a fake "[etl] forged log line", and ANSI colour codes.
    expect(output).toMatch(/\\n\[etl\] forged log line \\x1b\[31m/);
    expect(output).not.toMatch(/^\[etl\] forged/m);
    expect(output).not.toContain('\u001b');
  });
});
