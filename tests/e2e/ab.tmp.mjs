// Temporary A/B of cold signed-in loads of /support on two servers: LCP, FCP, wasm start (medians).
import { chromium, request } from '@playwright/test';
const urls = process.argv.slice(2, 4);
const runs = Number(process.argv[4] || 15);
const cpu = Number(process.argv[5] || 1);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const states = [];
for (const base of urls) {
  const api = await request.newContext({ baseURL: base });
  await api.post('/api/v1/session', { headers: { 'x-support-csrf': '1' }, data: { email: 'admin@acme.example', password: 'support-demo' } });
  states.push(await api.storageState());
}
const res = urls.map(() => ({ lcp: [], fcp: [], wasm: [] }));
for (let r = 0; r < runs; r++) {
  const order = r % 2 ? [1, 0] : [0, 1];
  for (const i of order) {
    const context = await browser.newContext({ storageState: states[i] });
    const page = await context.newPage();
    if (cpu > 1) { const s = await context.newCDPSession(page); await s.send('Emulation.setCPUThrottlingRate', { rate: cpu }); }
    await page.addInitScript(`window.__t = {}; addEventListener('TrunkApplicationStarted', () => { window.__t.wasm = performance.now(); });
      new PerformanceObserver((l) => l.getEntries().forEach((e) => { window.__t.lcp = e.startTime; })).observe({ type: 'largest-contentful-paint', buffered: true });
      new PerformanceObserver((l) => l.getEntries().forEach((e) => { window.__t[e.name] = e.startTime; })).observe({ type: 'paint', buffered: true });`);
    await page.goto(urls[i] + '/support');
    await page.locator('.sa-lead').waitFor();
    await page.waitForTimeout(300);
    const t = await page.evaluate(() => window.__t);
    res[i].lcp.push(t.lcp); res[i].fcp.push(t['first-contentful-paint']); res[i].wasm.push(t.wasm);
    await context.close();
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return Math.round(s[Math.floor(s.length / 2)]); };
urls.forEach((u, i) => console.log(u, 'LCP', med(res[i].lcp), 'FCP', med(res[i].fcp), 'wasm', med(res[i].wasm), 'LCP-wasm', med(res[i].lcp.map((l, k) => l - res[i].wasm[k]))));
await browser.close();
