import { defineConfig } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';

// The tests run against the real server serving the release build (dist/, made by `trunk build --release`), with
// the demo data and a fresh SQLite database on every run (see start-server.sh).
const port = Number(process.env.E2E_PORT ?? 18080);
const baseURL = `http://127.0.0.1:${port}`;
// The server's data folder, fixed per port so tests can run its CLI (agent replies) on the same database.
process.env.E2E_DATA_DIR ??= path.join(os.tmpdir(), `support-e2e-${port}`);

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: 'test-results',
  fullyParallel: false,
  // Two cores: the server, Chromium and axe-core already keep both busy.
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  use: {
    baseURL,
    browserName: 'chromium',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      // Playwright cannot download its own browsers here: use Debian's Chromium.
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [{ name: 'chromium' }],
  webServer: {
    command: `bash ${path.join(__dirname, 'start-server.sh')} ${port}`,
    url: `${baseURL}/`,
    reuseExistingServer: false,
    // Request logs would drown the test list; warnings and errors (5xx included) still show.
    env: {
      RUST_LOG: process.env.RUST_LOG ?? 'info,sqlx=warn,tower_http=warn',
      E2E_DATA_DIR: process.env.E2E_DATA_DIR,
    },
    // Covers building the server when the tests are run by hand; scripts/test.sh builds it beforehand.
    timeout: 600_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
});
