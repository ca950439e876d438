// `tdhook explain-text` as users run it: the gpt2-tiny checkpoint (packages/testing/reference) with a
// character tokenizer of its 96 ids written next to it, real exit codes, files on disk.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelDirs } from '@tdhook/nlp-assets';
import { referenceDirectory } from '@tdhook/testing';

import { builtInTextModels } from '../src/commands/text-models.js';

import { backend, decode, expectOneLineError, filesIn, readJson, tdhook } from './run-tdhook.js';

let scratch = '';
let model = '';

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tdhook-cli-text-'));
  model = join(scratch, 'gpt2-tiny');
  mkdirSync(model);
  for (const file of ['config.json', 'model.safetensors'])
    copyFileSync(join(referenceDirectory(), 'gpt2-tiny', file), join(model, file));
  // 95 printable ASCII characters and <unk>: the model's 96 ids.
  const vocab = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '<unk>'];
  writeFileSync(
    join(model, 'tdhook-tokenizer.json'),
    JSON.stringify({ kind: 'char', vocab, unknown: '<unk>', lowercase: false }),
  );
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const explainText = (...args: string[]) => tdhook('explain-text', '--backend', backend, ...args);

interface Report {
  readonly tokens: { id: number; token: string; offsets: [number, number] }[];
  readonly target: { id: number; token: string; position: number };
  readonly methods: {
    method: string;
    scores: number[];
    value: number;
    convergenceDelta?: number;
    positionScores?: number[];
  }[];
}

describe('tdhook explain-text', () => {
  it('prints the shaded text, and writes text.html, scores.json and attention PNGs (ig and lrp)', () => {
    const out = join(scratch, 'out');
    const run = explainText(
      '--model',
      model,
      '--text',
      'Hello, world',
      '--method',
      'ig,lrp',
      '--target',
      'e',
      '--attention',
      '--color',
      'never',
      '--out',
      out,
    );
    expect(run.status, run.stderr).toBe(0);
    expect(filesIn(out)).toEqual([
      'attention.layer0.png',
      'attention.layer1.png',
      'scores.json',
      'text.html',
    ]);
    // The plain view: a label per method, then one line per token with its score and bar.
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^ig → "e" \(f = -?\d/);
    expect(lines[1]).toMatch(/^ 0 {2}"H" +[+-]\d/);
    expect(run.stdout).toMatch(/^lrp → "e"/m);
    expect(run.stdout).not.toContain('\u001b');
    const report = readJson(join(out, 'scores.json')) as Report;
    expect(report.tokens.map((t) => t.token).join('')).toBe('Hello, world');
    expect(report.target).toMatchObject({ token: 'e', position: -1 });
    const [ig, lrp] = report.methods;
    // Integrated gradients from zeros: the scores sum to f(x) − f(0) up to the quadrature error.
    expect(ig?.scores).toHaveLength(12);
    expect(Math.abs(ig?.convergenceDelta ?? 1)).toBeLessThan(1e-3);
    // LRP: every token has a finite relevance, and the position embeddings get the rest.
    expect(lrp?.positionScores).toHaveLength(12);
    expect(lrp?.scores.every(Number.isFinite)).toBe(true);
    const html = readFileSync(join(out, 'text.html'), 'utf8');
    expect(html.match(/class="row"/g)).toHaveLength(2);
    expect(html).toContain('title="');
    const png = decode(join(out, 'attention.layer0.png'));
    expect(png.width).toBeGreaterThan(200);
  });

  it('colours the text on request and explains a logit difference', () => {
    const out = join(scratch, 'colour');
    const run = explainText(
      '--model',
      model,
      '--text',
      'abc',
      '--method',
      'saliency',
      '--target',
      'd',
      '--versus',
      'id:3',
      '--color',
      'truecolor',
      '--out',
      out,
      '--quiet',
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('\u001b[48;2;');
    expect(run.stdout).toContain('saliency → "d" − "#"');
    const report = readJson(join(out, 'scores.json')) as Report & { versus: { id: number } };
    expect(report.versus.id).toBe(3);
  });

  it('says what is wrong in one line, with the documented exit code, and writes nothing', () => {
    const out = join(scratch, 'bad');
    const cases: [string[], number, RegExp][] = [
      [['--text', 'hi', '--method', 'shap'], 2, /--method must be one of saliency, ixg, ig, lrp, got 'shap'/],
      [['--text', 'hi', '--method', 'lrp', '--steps', '8'], 2, /--steps is an option of ig, not of lrp/],
      [['--text', 'hi', '--method', 'ig', '--target', 'ab'], 2, /--target 'ab' is 2 tokens/],
      [
        ['--text', 'hé', '--method', 'ig', '--target', 'é'],
        2,
        /--target 'é' is not in this tokenizer's vocabulary \(it reads as "<unk>"\)/,
      ],
      [
        ['--text', 'hi', '--method', 'ig', '--position', '5'],
        2,
        /--position 5 is outside the text's 2 tokens/,
      ],
      [
        ['--text', 'x'.repeat(40), '--method', 'ixg'],
        2,
        /--text is 40 tokens, more than the model's context of 32/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const run = explainText('--model', model, '--out', out, ...args);
      expect(run.status, run.stderr).toBe(code);
      expectOneLineError(run.stderr, message);
    }
    const missing = explainText(
      '--model',
      join(scratch, 'nope'),
      '--text',
      'hi',
      '--method',
      'ig',
      '--out',
      out,
    );
    expect(missing.status).toBe(2);
    expectOneLineError(
      missing.stderr,
      /--model '.*nope' is neither a folder nor a built-in model \(ioi, induction, moby-char\)/,
    );
    const bare = join(scratch, 'no-tokenizer');
    mkdirSync(bare);
    copyFileSync(join(model, 'config.json'), join(bare, 'config.json'));
    const untokenized = explainText('--model', bare, '--text', 'hi', '--method', 'ig', '--out', out);
    expect(untokenized.status).toBe(1);
    expectOneLineError(untokenized.stderr, /tokenizer/i);
    expect(existsSync(out)).toBe(false);
  });

  it('warns about characters the vocabulary lacks', () => {
    const run = explainText(
      '--model',
      model,
      '--text',
      'café',
      '--method',
      'ixg',
      '--out',
      join(scratch, 'unk'),
      '--quiet',
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe(
      'tdhook explain-text: warning: 1 token(s) of --text are not in the vocabulary and read as "<unk>": "é"\n',
    );
  });

  it('runs a built-in model by name (the IOI model of @tdhook/nlp-assets)', () => {
    expect([...builtInTextModels].sort()).toEqual(Object.keys(modelDirs).sort());
    const out = join(scratch, 'ioi');
    const text = 'When Diana and Edwin went to the store, Edwin gave a drink to';
    const run = explainText(
      '--model',
      'ioi',
      '--text',
      text,
      '--method',
      'lrp',
      '--target',
      'Diana',
      '--versus',
      'Edwin',
      '--color',
      'never',
      '--out',
      out,
      '--quiet',
    );
    expect(run.status, run.stderr).toBe(0);
    const report = readJson(join(out, 'scores.json')) as Report & { model: string };
    expect(report.model).toBe(modelDirs.ioi);
    // The model prefers the indirect object (a positive logit difference), and LRP credits "Diana" for it.
    const [lrp] = report.methods;
    expect(lrp?.value).toBeGreaterThan(0);
    expect(lrp?.scores[1]).toBeGreaterThan(0);
  });

  it('--help lists the methods, the built-in models and the exit codes', () => {
    const run = tdhook('explain-text', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/--method <name> +saliency, ixg, ig, lrp/);
    expect(run.stdout).toContain('ioi, induction, moby-char');
    expect(run.stdout).toMatch(/--steps <n> +ig: Gauss–Legendre steps, 1 to 1000 \(default 50\)/);
    expect(tdhook('--help').stdout).toContain('explain-text');
  });
});
