/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { meshwatchGateway } from './src/server/vite-plugin.ts';

// `npm run dev` serves the page and mounts the development gateway, with its
// simulated mesh, on the same port: one command, one origin, no proxy.
export default defineConfig({
  plugins: [react(), meshwatchGateway()],
  server: {
    port: 5173,
    strictPort: false,
    // Transform the app's modules while the server starts, not when the first page asks for them.
    warmup: { clientFiles: ['./src/main.tsx'] },
  },
  preview: { port: 4173 },
  build: {
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        // The benchmark's floor: the realtime client and store alone (`npm run bench:dashboard`).
        floor: fileURLToPath(new URL('./floor.html', import.meta.url)),
      },
    },
  },
  test: {
    include: ['tests/**/*.test.{ts,tsx}'],
    environment: 'node',
    setupFiles: ['tests/setup/dom-stubs.ts'],
    // The gateway logs abnormal closes at info: tests close connections abnormally on purpose, by the hundred.
    env: { MESHWATCH_LOG_LEVEL: 'warn' },
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Gateway, Vite and Chromium tests bind ports and spawn processes; two cores.
    maxWorkers: 2,
  },
});
