import { chromium } from 'playwright-core';
import { findChromium } from '../test/find-chromium.js';
const [url, out, selector, partHeight] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: findChromium()!, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(url!, { waitUntil: 'load' });
const box = await page.evaluate((s) => { const r = document.querySelector(s)!.getBoundingClientRect(); return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height }; }, selector ?? 'body');
console.log('box', JSON.stringify(box));
const part = Number(partHeight ?? 100000);
const parts = Math.ceil(box.height / part);
for (let i = 0; i < parts; i++) {
  const y = box.y + i * part;
  const path = out!.replace(/\.png$/, `-${i + 1}.png`);
  await page.screenshot({ path, fullPage: true, clip: { x: 0, y: Math.max(0, y - 8), width: 1280, height: Math.min(part, box.y + box.height - y) + 16 } });
  console.log(path);
}
await browser.close();
