import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * Load on loopback, bounded in count and time: the read API's sustained requests per second
 * and latency, and how fast one database announcement reaches many live-stream clients.
 */

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export interface ReadLoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** `concurrency` keep-alive clients request `paths` round-robin for `durationMs`. */
export async function readApiLoad(base: string, paths: readonly string[], options: { concurrency: number; durationMs: number }): Promise<ReadLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const get = (path: string) => new Promise<number>((resolve) => {
    const request = http.get(`${base}${path}`, { agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', () => resolve(0));
  });
  await Promise.all(Array.from({ length: options.concurrency }, async () => {
    while (performance.now() < deadline) {
      const path = paths[next++ % paths.length]!;
      const at = performance.now();
      const status = await get(path);
      latencies.push(performance.now() - at);
      if (status !== 200) errors += 1;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, seconds, perSecond: latencies.length / seconds, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) };
}

export interface FanoutResult {
  clients: number;
  received: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Opens `clients` server-sent-event streams, waits until all are connected, calls `announce`
 * (which must make the database send one `bars` event) and measures, per client, the time
 * from just before `announce` until its `bars` event arrives. Gives up after `timeoutMs`.
 */
export async function liveFanout(base: string, clients: number, announce: () => Promise<void>, timeoutMs = 10_000): Promise<FanoutResult> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const requests: http.ClientRequest[] = [];
  const arrivals: number[] = [];
  let connected = 0;
  let start = 0;
  let onAllConnected = () => {};
  let onAllReceived = () => {};
  const allConnected = new Promise<void>((resolve) => (onAllConnected = resolve));
  const allReceived = new Promise<void>((resolve) => (onAllReceived = resolve));

  for (let i = 0; i < clients; i++) {
    const request = http.get(`${base}/api/stream`, { agent, headers: { accept: 'text/event-stream' } }, (response) => {
      let buffer = '';
      let got = false;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        if (buffer.includes('event: hello') && !buffer.includes('\u0000counted')) {
          buffer += '\u0000counted';
          if (++connected === clients) onAllConnected();
        }
        if (!got && start > 0 && buffer.includes('event: bars')) {
          got = true;
          arrivals.push(performance.now() - start);
          if (arrivals.length === clients) onAllReceived();
        }
      });
    });
    request.on('error', () => {});
    requests.push(request);
  }
  const guard = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  try {
    await Promise.race([allConnected, guard(timeoutMs)]);
    if (connected < clients) throw new Error(`only ${connected} of ${clients} live-stream clients connected within ${timeoutMs} ms`);
    start = performance.now();
    await announce();
    await Promise.race([allReceived, guard(timeoutMs)]);
  } finally {
    for (const request of requests) request.destroy();
    agent.destroy();
  }
  arrivals.sort((a, b) => a - b);
  return { clients, received: arrivals.length, p50Ms: quantile(arrivals, 0.5), p99Ms: quantile(arrivals, 0.99), maxMs: arrivals[arrivals.length - 1] ?? Number.NaN };
}
