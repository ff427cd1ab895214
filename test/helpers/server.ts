import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { createServerApp, type ServerDeps } from '../../server/app.ts';

/** The Node server app on an ephemeral loopback port, for tests that speak real HTTP to it. */
export interface TestServer {
  url: string;
  close(): Promise<void>;
}

export async function serveApp(deps: ServerDeps): Promise<TestServer> {
  const server: ServerType = serve({ fetch: createServerApp(deps).fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // SSE clients hold connections open; close them too so the port is released.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
