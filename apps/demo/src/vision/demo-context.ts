import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { encodePng, type RgbaImage } from '@tdhook/adapter-cv';

import type { Figure } from '../report/report-model.js';

/** Where a stage writes its pictures, and how it reports progress. */
export class DemoContext {
  readonly outDir: string;
  readonly #started = performance.now();

  constructor(outDir: string) {
    this.outDir = outDir;
    mkdirSync(outDir, { recursive: true });
  }

  /**
   * Writes `image` (or PNG bytes already encoded) as `file` and returns it as a report figure, with an
   * optional note.
   */
  png(file: string, image: RgbaImage | Uint8Array, caption: string, note = ''): Figure {
    const png = image instanceof Uint8Array ? image : encodePng(image);
    writeFileSync(join(this.outDir, file), png);
    return { kind: 'png', file, png, caption, ...(note === '' ? {} : { note }) };
  }

  /** Logs a step with the elapsed time since the demo started. */
  log(message: string): void {
    const seconds = ((performance.now() - this.#started) / 1000).toFixed(1).padStart(5);
    console.log(`  [${seconds} s] ${message}`);
  }

  /** Runs `work` and logs how long it took; returns its result and the seconds. */
  async timed<T>(message: string, work: () => T | Promise<T>): Promise<{ value: T; seconds: number }> {
    const started = performance.now();
    const value = await work();
    const seconds = (performance.now() - started) / 1000;
    this.log(`${message} (${seconds.toFixed(1)} s)`);
    return { value, seconds };
  }
}

/** Formats a number for tables: 3 significant digits. */
export function fmt(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
