// The built command line (node dist/cli.js, as bin/tdhook-bench.js runs it): its help, its one-line
// errors with exit code 1, and a run of the tiny suite that writes the reports.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const tinySuite = fileURLToPath(new URL('./fixtures/tiny-suite.mjs', import.meta.url));

function tdhookBench(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  if (!existsSync(cli)) throw new Error(`${cli} is not built: run \`npx tsup\` in packages/bench first`);
  const child = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('tdhook-bench', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('prints its help and exits 0', () => {
    const { status, stdout } = tdhookBench('--help');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^tdhook-bench: /);
    for (const option of ['--quick', '--only', '--backend', '--suite', '--out', '--footprint', '--docs']) {
      expect(stdout).toContain(option);
    }
  });

  it('rejects an unknown option, a bad suite path and an unknown scenario in one line, exit code 1', () => {
    for (const [args, message] of [
      [['--frobnicate'], /^tdhook-bench: unknown option '--frobnicate' \(see --help\)\n$/],
      [['--suite', 'no/such/suite.js'], /^tdhook-bench: no suite module at .*no\/such\/suite\.js\n$/],
      [
        ['--suite', tinySuite, '--only', 'matmul,nope'],
        /^tdhook-bench: no scenario 'nope' in the suite \(it has: matmul, broken\)\n$/,
      ],
      [['--suite', tinySuite, '--backend', 'gpu'], /^tdhook-bench: unknown backend 'gpu'/],
    ] as const) {
      const { status, stderr, stdout } = tdhookBench(...args);
      expect(status, args.join(' ')).toBe(1);
      expect(stderr).toMatch(message);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stdout).toBe('');
    }
  });

  it('runs a suite with progress lines and writes the reports and the docs page', () => {
    dir = mkdtempSync(join(tmpdir(), 'tdhook-cli-test-'));
    const out = join(dir, 'results');
    const docs = join(dir, 'docs', 'benchmarks.md');
    const args = ['--suite', tinySuite, '--only', 'matmul', '--backend', 'cpu', '--out', out, '--docs', docs];
    const quick = tdhookBench('--quick', ...args);
    expect(quick.status, quick.stderr).toBe(0);
    expect(quick.stderr).toMatch(/^\[1\/4\] matmul plain \{"size":8\} [\d.]+ (µs|ms|s)$/m);
    expect(quick.stderr).toMatch(/^\[4\/4\] matmul fused \{"size":16\} /m);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toMatchObject({ preset: 'quick' });
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('## A matmul, fused or not');
    expect(existsSync(join(out, 'charts', 'matmul-speedup.svg'))).toBe(true);
    // The docs page shows full runs only; the tiny suite's full grid is one small point.
    expect(existsSync(docs)).toBe(false);
    expect(quick.stderr).toContain('left as it is: --docs writes full runs only');
    const full = tdhookBench(...args);
    expect(full.status, full.stderr).toBe(0);
    expect(readFileSync(docs, 'utf8')).toContain('](benchmarks/matmul-run.svg)');
    expect(existsSync(join(dir, 'docs', 'benchmarks', 'matmul-run.svg'))).toBe(true);
  }, 120_000);

  it('reports a failed measurement on stderr and in the summary, and still exits 0', () => {
    dir = mkdtempSync(join(tmpdir(), 'tdhook-cli-test-'));
    const args = ['--quick', '--suite', tinySuite, '--only', 'broken', '--backend', 'cpu', '--out', dir];
    const { status, stderr } = tdhookBench(...args);
    expect(status).toBe(0);
    expect(stderr).toContain('tdhook-bench: failed: broken failing {"size":1}: no model here');
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('failed: no model here');
  }, 120_000);
});
