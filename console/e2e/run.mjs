// The console's browser tests: Debian's Chromium, headless, driven by playwright-core against a
// running cairn. tests/integration/test_console.py starts the servers and runs one scenario
// per test:  node console/e2e/run.mjs <scenario>
// Environment: CONSOLE_URL (http://127.0.0.1:port), ACCESS_KEY, SECRET_KEY, E2E_DIR (files to
// upload, downloads), SCENARIO_ARGS (JSON), SCREENSHOTS (a folder: the README's pictures).
// On failure a screenshot and the page's HTML are kept under console/e2e/artifacts/.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarios } from './scenarios.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
const scenario = scenarios[name];
if (!scenario) {
  console.error(`no scenario ${name}; there are: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
const env = {
  url: process.env.CONSOLE_URL,
  accessKey: process.env.ACCESS_KEY,
  secretKey: process.env.SECRET_KEY,
  dir: process.env.E2E_DIR || fs.mkdtempSync('/tmp/cairn-e2e-'),
  args: JSON.parse(process.env.SCENARIO_ARGS || '{}'),
  screenshots: process.env.SCREENSHOTS || '',
};
assert.ok(env.url, 'CONSOLE_URL is required');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
});
const pages = [];
const newContext = async (opts = {}) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true, ...opts });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  pages.push(page);
  page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.log(`[console] ${m.text()}`));
  return { context, page };
};

const started = Date.now();
let failed = false;
try {
  await scenario({ ...env, browser, newContext, assert });
  console.log(`scenario ${name}: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (e) {
  failed = true;
  console.error(`scenario ${name}: FAILED: ${e.stack || e}`);
  const out = path.join(here, 'artifacts');
  fs.mkdirSync(out, { recursive: true });
  for (const [i, page] of pages.entries()) {
    if (page.isClosed()) continue;
    const base = path.join(out, `${name}-${i}`);
    try {
      await page.screenshot({ path: `${base}.png`, fullPage: true });
      fs.writeFileSync(`${base}.html`, await page.content());
      console.error(`kept ${base}.png and .html`);
    } catch (err) {
      console.error(`no screenshot: ${err.message}`);
    }
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
