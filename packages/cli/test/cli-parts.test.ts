// The CLI's parts that need no model: exit codes and one-line messages, argv, plugin resolution, output folders.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { CvError } from '@tdhook/adapter-cv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { joinNegativeValues } from '../src/argv.js';
import { exitCodes, failureOf } from '../src/exit-codes.js';
import { OutputFolder } from '../src/output-folder.js';
import { PluginError } from '../src/plugins/plugin-error.js';
import { ProgressBar } from '../src/progress.js';
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
    // A plugin's method that writes no image attribution reaches failureOf as a PluginError (tdhook explain
    // makes it one, tested end to end); a built-in's, misconfigured by --options, is a failed run.
    expect(failureOf(new CvError('E_CV_METHOD', { what: 'No attribution', where: 'x' })).code).toBe(1);
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

describe('OutputFolder.commit', () => {
  it('puts the folder back as it was when a rename fails partway, and abort removes the rest', async () => {
    const target = join(scratch, 'commit-fails');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'a.png'), 'old a');
    const out = await OutputFolder.open(target, ['a.png', 'b.png', 'c.png']);
    for (const name of ['a.png', 'b.png', 'c.png']) await out.write(name, `new ${name}`);
    // After open's checks, a non-empty folder appears where b.png goes: renaming onto it fails.
    mkdirSync(join(target, 'b.png', 'inside'), { recursive: true });
    await expect(out.commit()).rejects.toThrow(/^Cannot write .*commit-fails\/b\.png \(E[A-Z]+\)/);
    // a.png was renamed into place, then taken out again: the old a.png is back.
    expect(readFileSync(join(target, 'a.png'), 'utf8')).toBe('old a');
    await out.abort();
    expect(filesIn(target)).toEqual(['a.png', 'b.png']);
    expect(filesIn(join(target, 'b.png'))).toEqual(['inside']);
  });

  it('replaces earlier files and leaves nothing hidden behind on success', async () => {
    const target = join(scratch, 'commit-replaces');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'a.png'), 'old a');
    const out = await OutputFolder.open(target, ['a.png', 'b.png']);
    await out.write('a.png', 'new a');
    await out.write('b.png', 'new b');
    await out.commit();
    expect(filesIn(target)).toEqual(['a.png', 'b.png']);
    expect(readFileSync(join(target, 'a.png'), 'utf8')).toBe('new a');
  });
});

describe('ProgressBar', () => {
  /** A terminal-like stream that records what is written. */
  const terminal = () => {
    const chunks: string[] = [];
    const stream = {
      isTTY: true,
      columns: 60,
      write: (chunk: string) => chunks.push(chunk) > 0,
    } as unknown as NodeJS.WritableStream & { isTTY: boolean };
    return { stream, text: () => chunks.join('') };
  };

  it('ends its line on a terminal before anything else is written, and draws itself again below', () => {
    const { stream, text } = terminal();
    const bar = new ProgressBar('ig', 2, stream);
    bar.endLine(); // nothing drawn yet: nothing to end
    expect(text()).toBe('');
    bar.update(0, 'a.png');
    bar.endLine();
    stream.write('warning: a.png\n');
    bar.endLine(); // already ended
    bar.update(1, 'b.png');
    bar.done();
    const lines = text().split('\n');
    expect(lines.map((line) => line.replace(/^\r/, '').split(' ')[0])).toEqual(['ig', 'warning:', 'ig', '']);
    expect(lines[1]).toBe('warning: a.png');
    expect(lines[2]).toMatch(/^\rig .* 50% .* b\.png\s*\rig .* 100% /);
  });

  it('writes whole lines, one per quarter, to other streams', () => {
    const chunks: string[] = [];
    const stream = { write: (chunk: string) => chunks.push(chunk) > 0 } as unknown as NodeJS.WritableStream;
    const bar = new ProgressBar('ig', 4, stream);
    bar.update(0, 'a.png');
    bar.update(0.5, 'a.png');
    bar.endLine();
    bar.update(2, 'c.png');
    bar.done();
    expect(chunks.map((chunk) => chunk.replace(/\(\d+\.\ds\)/, '(…)'))).toEqual([
      'ig: 0% (…) a.png\n',
      'ig: 50% (…) c.png\n',
      'ig: 100% (…) \n',
    ]);
  });
});
