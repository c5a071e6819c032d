// Usage: node report-check.mjs REPORT.html OUTDIR
// Opens the report in Chromium at desktop and phone widths, saves screenshots, proves that no request left the
// file (every request that is not file:/data:/about: is counted and blocked), and clicks the first copy button
// to check that the clipboard then holds that remediation's text. Prints a JSON result; exit 1 on a failure.
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

const [report, outDir] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
const result = { network: [], screenshots: [], copied: null, expected: null, ok: true };
try {
  for (const [name, width, height] of [['desktop', 1280, 900], ['phone', 390, 844]]) {
    const context = await browser.newContext({ viewport: { width, height }, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await page.route('**/*', route => {
      const url = route.request().url();
      if (/^(file|data|about):/.test(url)) return route.continue();
      result.network.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(report).href);
    const file = `${outDir}/report-${name}.png`;
    await page.screenshot({ path: file, fullPage: true });
    result.screenshots.push(file);
    if (name === 'desktop') {
      const button = page.locator('button.copy').first();
      result.expected = await page.locator('.fix code').first().textContent();
      await button.click();
      result.copied = await page.evaluate(() => navigator.clipboard.readText());
      result.label = await button.textContent();
    }
    await context.close();
  }
} finally {
  await browser.close();
}
result.ok = result.network.length === 0 && result.copied !== null && result.copied === result.expected && result.screenshots.length === 2;
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
