import solid from 'vite-plugin-solid';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: one test file per core keeps the database and the browser from starving each other.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
      {
        // Dashboard components: Solid's JSX compiled for the DOM, run in jsdom; no database needed.
        extends: true,
        plugins: [solid()],
        test: {
          name: 'web-dom',
          include: ['test/web/**/*.test.tsx'],
          environment: 'jsdom',
        },
      },
    ],
  },
});
