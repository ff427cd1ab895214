import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, headless. CI installs it; on a laptop without it the browser tests say so and skip. */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  if (process.env.CI) throw new Error(`Chromium is required in CI but ${CHROMIUM_PATH} does not exist (apt-get install chromium)`);
  return `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium or set CHROMIUM_PATH`;
}

export async function launchChromium(): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
