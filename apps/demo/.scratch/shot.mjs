// .scratch/shot.ts
import { chromium } from "playwright-core";

// test/find-chromium.ts
import { existsSync } from "node:fs";
var candidates = [
  "/usr/bin/chromium-headless-shell",
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome"
];
function findChromium() {
  const named = process.env.TDHOOK_CHROMIUM;
  if (named !== void 0 && named !== "") return named;
  return candidates.find((path) => existsSync(path));
}

// .scratch/shot.ts
var [url, out, selector, partHeight] = process.argv.slice(2);
var browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: ["--no-sandbox", "--disable-gpu"] });
var page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(url, { waitUntil: "load" });
var box = await page.evaluate((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
}, selector ?? "body");
console.log("box", JSON.stringify(box));
var part = Number(partHeight ?? 1e5);
var parts = Math.ceil(box.height / part);
for (let i = 0; i < parts; i++) {
  const y = box.y + i * part;
  const path = out.replace(/\.png$/, `-${i + 1}.png`);
  await page.screenshot({ path, fullPage: true, clip: { x: 0, y: Math.max(0, y - 8), width: 1280, height: Math.min(part, box.y + box.height - y) + 16 } });
  console.log(path);
}
await browser.close();
