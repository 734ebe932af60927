// Temporary: seeds a ticket with 200 comments, then traces a cold load of its page with 4x CPU and prints long tasks.
import { chromium, request } from '@playwright/test';
const base = process.argv[2];
const api = await request.newContext({ baseURL: base });
const CSRF = { 'x-support-csrf': '1' };
await api.post('/api/v1/session', { headers: CSRF, data: { email: 'dev@acme.example', password: 'support-demo' } });
const me = await (await api.get('/api/v1/me')).json();
const org = me.organization.id;
const t = await api.post(`/api/v1/organizations/${org}/tickets`, { headers: CSRF, data: { cc: [], subject: 'Long conversation', severity: 'high', product: 'kafka', reason: 'lag', description: 'x', attachment_ids: [] } });
const id = (await t.json()).id;
for (let i = 0; i < 200; i++) {
  const body = `Comment ${i + 1}: we restarted the consumers.\n` + 'Details are in the runbook at https://runbook.example/kafka/lag and the graphs. '.repeat(1 + (i % 3));
  await api.post(`/api/v1/organizations/${org}/tickets/${id}/comments`, { headers: CSRF, data: { cc: [], body, attachment_ids: [] } });
}
const state = await api.storageState();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
for (let run = 0; run < 2; run++) {
  const context = await browser.newContext({ storageState: state });
  const page = await context.newPage();
  const s = await context.newCDPSession(page); await s.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.addInitScript(`window.__lt = []; new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__lt.push([Math.round(e.startTime), Math.round(e.duration)]))).observe({ type: 'longtask', buffered: true });
    window.__p = {}; new PerformanceObserver((l) => l.getEntries().forEach((e) => { window.__p[e.name] = Math.round(e.startTime); })).observe({ type: 'paint', buffered: true });`);
  await browser.startTracing(page, { path: `/tmp/trace/tk${run}.json`, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'disabled-by-default-v8.compile'] });
  await page.goto(`${base}/support/tickets/${id}`);
  await page.getByText('Comment 200:').waitFor();
  await page.waitForTimeout(500);
  await browser.stopTracing();
  console.log(JSON.stringify(await page.evaluate(() => ({ lt: window.__lt, p: window.__p }))));
  await context.close();
}
await browser.close();
