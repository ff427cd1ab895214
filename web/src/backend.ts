import { ANSWERS_ELEMENT_ID, type Api, CONFIG_ELEMENT_ID, createApi } from './api.ts';
import { createSseSource, type LiveSource } from './live.ts';

/** Where the dashboard reads and listens: the Node server (HTTP + SSE), or Supabase (RPC + Realtime). */
export interface Backend {
  api: Api;
  live: LiveSource;
  /** Names the live transport in the connection indicator's tooltip. */
  label: string;
}

export interface BackendEnv {
  VITE_SUPABASE_URL?: string;
  VITE_SUPABASE_PUBLISHABLE_KEY?: string;
  VITE_MARKET_SYMBOLS?: string;
  VITE_MARKET_INTERVAL?: string;
}

export async function openBackend(env: BackendEnv): Promise<Backend> {
  const url = env.VITE_SUPABASE_URL;
  const key = env.VITE_SUPABASE_PUBLISHABLE_KEY;
  if (url && key) {
    const { connectSupabase } = await import('./supabase.ts');
    const symbols = (env.VITE_MARKET_SYMBOLS ?? '')
      .split(',')
      .map((s) => s.trim().toUpperCase())
      .filter(Boolean);
    return await connectSupabase(url, key, env.VITE_MARKET_INTERVAL ?? '1h', symbols);
  }
  const inPage = (id: string) => () => document.getElementById(id)?.textContent ?? null;
  // Back or Forward shows the document as the browser stored it, without asking the server: its
  // answers are as old as that visit (hours, maybe). The configuration does not change; they might.
  const navigation = performance.getEntriesByType?.('navigation')[0] as PerformanceNavigationTiming | undefined;
  const answersInPage = navigation?.type === 'back_forward' ? () => null : inPage(ANSWERS_ELEMENT_ID);
  return {
    api: createApi('', undefined, inPage(CONFIG_ELEMENT_ID), answersInPage),
    live: createSseSource('/api/stream'),
    label: 'server-sent events',
  };
}
