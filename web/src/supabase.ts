import { createClient } from '@supabase/supabase-js';
import type { Backend } from './backend.ts';
import { createSupabaseSource, type RealtimeClientLike } from './live-supabase.ts';
import { createSupabaseApi, type RpcClientLike } from './supabase-api.ts';

/** Loaded only when the build is configured for Supabase, so supabase-js stays out of the default bundle. */
export async function connectSupabase(url: string, key: string, interval: string, symbols: readonly string[]): Promise<Backend> {
  const client = createClient(url, key, { auth: { persistSession: false } });
  // Private channels authorise the join with the current token (here the publishable key's role).
  await client.realtime.setAuth();
  return {
    api: createSupabaseApi(client as unknown as RpcClientLike, { interval, symbols }),
    live: createSupabaseSource(client as unknown as RealtimeClientLike),
    label: 'Supabase Realtime',
  };
}
