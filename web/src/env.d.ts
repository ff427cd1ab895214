/// <reference types="vite/client" />

/** Build-time settings (Vite `VITE_*`); every one is optional. */
interface ImportMetaEnv {
  /** With the key below: read through supabase-js and listen on Supabase Realtime instead of the Node server. */
  readonly VITE_SUPABASE_URL?: string;
  readonly VITE_SUPABASE_PUBLISHABLE_KEY?: string;
  /** Supabase only (the Node server answers these itself): the watch list and the bar interval. */
  readonly VITE_MARKET_SYMBOLS?: string;
  readonly VITE_MARKET_INTERVAL?: string;
  /** Seconds between polls while the live connection is down (default 60); `?poll=` overrides. */
  readonly VITE_POLL_SECONDS?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
