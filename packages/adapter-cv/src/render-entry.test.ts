// `@tdhook/adapter-cv/render`: the drawing half alone. Its exports are the main entry's own objects (one copy
// of each module), and nothing it loads imports the model code's TF.js packages.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import * as main from './index.js';
import * as render from './render-entry.js';

/** Every module specifier `file` imports, following relative imports through the source tree. */
function importsOf(file: string, seen = new Set<string>()): Set<string> {
  const specifiers = new Set<string>();
  if (seen.has(file)) return specifiers;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const [, specifier] of code.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
    if (specifier === undefined) continue;
    if (!specifier.startsWith('.')) specifiers.add(specifier);
    else
      for (const found of importsOf(join(dirname(file), specifier.replace(/\.js$/, '.ts')), seen))
        specifiers.add(found);
  }
  return specifiers;
}

describe('@tdhook/adapter-cv/render', () => {
  it('exports the drawing functions as the main entry has them', () => {
    for (const [name, value] of Object.entries(render))
      expect(main[name as keyof typeof main], name).toBe(value);
    expect(Object.keys(render)).toEqual(
      expect.arrayContaining([
        'createImage',
        'encodePng',
        'drawText',
        'colorbar',
        'imageGrid',
        'heatmap',
        'CvError',
      ]),
    );
  });

  it('loads no model code: neither tfjs-converter nor tfjs-layers', () => {
    const entry = fileURLToPath(new URL('./render-entry.ts', import.meta.url));
    const packages = [...importsOf(entry)].sort();
    expect(packages).not.toContain('@tensorflow/tfjs-converter');
    expect(packages).not.toContain('@tensorflow/tfjs-layers');
    expect(packages).toEqual(['@tdhook/core', '@tensorflow/tfjs-core', 'jpeg-js', 'pngjs']);
  });
});
