import { defineConfig } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';

// The tests run against the real server serving the release build (dist/, made by `trunk build --release`), with
// the demo data and a fresh database on every run (see start-server.sh).
//
// E2E_WORKERS (default 1) workers run spec files side by side, each against a server of its own on its own data:
// worker N's is on port E2E_PORT + N (fixtures.ts points baseURL there), so no spec sees another's tickets.
// E2E_INSTANCES (default 1) is how many server instances make one such server: 2 or more puts them behind a
// round-robin nginx on that port (cluster mode, start-server.sh). E2E_SERVER_ARGS goes to every instance and to
// the CLI the specs run (the database and attachments store, start-server.sh says how).
process.env.E2E_PORT ??= '18080';
const port = Number(process.env.E2E_PORT);
const workers = Number(process.env.E2E_WORKERS ?? 1);
const instances = Number(process.env.E2E_INSTANCES ?? 1);
// The servers' data folders, `<E2E_DATA_DIR>/<worker>`, fixed per port so tests can run the server's CLI (agent
// replies) on the same database (fixtures.ts dataDir).
process.env.E2E_DATA_DIR ??= path.join(os.tmpdir(), `support-e2e-${port}`);
const dataDir = process.env.E2E_DATA_DIR;
// `{worker}` in E2E_SERVER_ARGS becomes the worker's number (fixtures.ts does the same for the CLI), so each worker
// can have a database of its own: `--database postgres://127.0.0.1:5433/e2e_{worker}`.
const serverArgs = process.env.E2E_SERVER_ARGS ?? '';
if (workers > 1 && /--database/.test(serverArgs) && !serverArgs.includes('{worker}')) {
  throw new Error('E2E_SERVER_ARGS names one --database for several workers: put {worker} in it, or set E2E_WORKERS=1');
}

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  // cluster.spec.ts checks the cluster itself: it runs in cluster mode, the rest in both.
  testIgnore: instances > 1 ? [] : ['cluster.spec.ts'],
  outputDir: instances > 1 ? 'test-results-cluster' : 'test-results',
  // Tests within a file share their server's data in order; files are spread over the workers.
  fullyParallel: false,
  workers,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
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
  webServer: Array.from({ length: workers }, (_, worker) => ({
    command: `bash ${path.join(__dirname, 'start-server.sh')} ${port + worker}`,
    url: `http://127.0.0.1:${port + worker}/`,
    reuseExistingServer: false,
    // Request logs would drown the test list; warnings and errors (5xx included) still show.
    env: {
      RUST_LOG: process.env.RUST_LOG ?? 'info,sqlx=warn,tower_http=warn',
      E2E_DATA_DIR: path.join(dataDir, String(worker)),
      E2E_INSTANCES: String(instances),
      E2E_SERVER_ARGS: serverArgs.replaceAll('{worker}', String(worker)),
    },
    // Covers building the server when the tests are run by hand; scripts/test.sh builds it beforehand.
    timeout: 600_000,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
    gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 5_000 },
  })),
});
