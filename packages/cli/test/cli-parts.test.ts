// The CLI's parts that need no model: exit codes and one-line messages, argv, plugin resolution, output folders.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { CvError } from '@tdhook/adapter-cv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { joinNegativeValues } from '../src/argv.js';
import { exitCodes, failureOf } from '../src/exit-codes.js';
import { OutputFolder } from '../src/output-folder.js';
import { PluginError } from '../src/plugins/plugin-error.js';
import { resolvePlugin } from '../src/plugins/resolve-plugin.js';
import { UsageError } from '../src/usage-error.js';
import { filesIn } from './run-tdhook.js';

let scratch = '';

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tdhook-cli-parts-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('failureOf', () => {
  it('maps each kind of error to its exit code and one line', () => {
    expect(failureOf(new UsageError('--model <dir> is required'))).toEqual({
      code: exitCodes.usage,
      line: '--model <dir> is required',
      usage: true,
    });
    expect(failureOf(new PluginError("plugin 'x' failed to load: boom"))).toMatchObject({
      code: 3,
      usage: false,
    });
    const file = new CvError('E_CV_FILE', { what: 'No file at a.png', where: 'a.png' });
    expect(failureOf(file)).toEqual({ code: 1, line: 'No file at a.png (at a.png).', usage: false });
    expect(failureOf(new CvError('E_CV_METHOD', { what: 'No attribution', where: 'x' })).code).toBe(3);
    // Anything else: still one line, no stack trace, exit code 1.
    expect(failureOf(new RangeError('Array buffer allocation failed\n    at foo (bar.js:1:1)'))).toEqual({
      code: 1,
      line: 'unexpected error: Array buffer allocation failed at foo (bar.js:1:1) (TDHOOK_DEBUG=1 prints the stack trace)',
      usage: false,
    });
    expect(failureOf(undefined).line).toBe(
      'unexpected error: undefined (TDHOOK_DEBUG=1 prints the stack trace)',
    );
  });
});

describe('joinNegativeValues', () => {
  it('joins negative numbers to the value options before them, and nothing else', () => {
    const options = new Set(['steps', 'baseline']);
    expect(joinNegativeValues(['--steps', '-1', '--baseline', '-.5', '--quiet', '-h'], options)).toEqual([
      '--steps=-1',
      '--baseline=-.5',
      '--quiet',
      '-h',
    ]);
    expect(joinNegativeValues(['--quiet', '-1', '--steps=-2', '--steps', '-x'], options)).toEqual([
      '--quiet',
      '-1',
      '--steps=-2',
      '--steps',
      '-x',
    ]);
  });
});

describe('resolvePlugin', () => {
  it('resolves paths, package folders and packages by their exports’ import condition', () => {
    const file = join(scratch, 'plugin.mjs');
    writeFileSync(file, 'export {};');
    expect(resolvePlugin('./plugin.mjs', scratch)).toBe(pathToFileURL(file).href);
    const folder = join(scratch, 'node_modules', '@acme', 'methods');
    mkdirSync(join(folder, 'dist'), { recursive: true });
    writeFileSync(join(folder, 'dist', 'index.js'), 'export {};');
    writeFileSync(join(folder, 'dist', 'extra.js'), 'export {};');
    writeFileSync(
      join(folder, 'package.json'),
      JSON.stringify({
        exports: {
          '.': { types: './dist/index.d.ts', import: './dist/index.js', require: './dist/index.cjs' },
          './extra': { default: './dist/extra.js' },
        },
      }),
    );
    const project = join(scratch, 'project', 'src');
    mkdirSync(project, { recursive: true });
    // Found from a folder below, as Node looks for node_modules.
    expect(resolvePlugin('@acme/methods', project)).toBe(
      pathToFileURL(join(folder, 'dist', 'index.js')).href,
    );
    expect(resolvePlugin('@acme/methods/extra', project)).toBe(
      pathToFileURL(join(folder, 'dist', 'extra.js')).href,
    );
    expect(resolvePlugin(folder, '/')).toBe(pathToFileURL(join(folder, 'dist', 'index.js')).href);
    // Not found from the folder: left to import(), which looks next to tdhook.
    expect(resolvePlugin('not-installed-anywhere', project)).toBe('not-installed-anywhere');
    expect(() => resolvePlugin('@acme/methods/missing', project)).toThrow(
      /exports no '\.\/missing' module for import/,
    );
    expect(() => resolvePlugin('./nope.mjs', scratch)).toThrow(/plugin '\.\/nope\.mjs': no file at /);
  });
});

describe('OutputFolder', () => {
  it('writes all or nothing: aborting removes its files and the folders it made, not older files', async () => {
    const target = join(scratch, 'out', 'deep', 'er');
    const first = await OutputFolder.open(target, ['a.png', 'scores.json']);
    await first.write('a.png', 'png');
    expect(filesIn(target)).toEqual([`.a.png.${process.pid}.tdhook-partial`]);
    await first.abort();
    expect(filesIn(join(scratch, 'out'))).toBeNull();

    const second = await OutputFolder.open(target, ['a.png']);
    await second.write('a.png', 'png');
    await second.commit();
    expect(filesIn(target)).toEqual(['a.png']);
    const third = await OutputFolder.open(target, ['a.png', 'b.png']);
    await third.write('b.png', 'new');
    await third.abort();
    expect(filesIn(target)).toEqual(['a.png']);
  });
});
