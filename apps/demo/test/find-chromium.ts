import { existsSync } from 'node:fs';

// Debian's packages (chromium-headless-shell, or chromium); TDHOOK_CHROMIUM names another build.
const candidates = [
  '/usr/bin/chromium-headless-shell',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

/** A Chromium executable on this machine, or undefined. */
export function findChromium(): string | undefined {
  const named = process.env.TDHOOK_CHROMIUM;
  if (named !== undefined && named !== '') return named;
  return candidates.find((path) => existsSync(path));
}
