// `pnpm test`: runs every package's tests through turbo (each package runs its suite once per backend, wasm
// then cpu), then sums the per-package vitest JSON reports into one closing line: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = ['packages', 'apps'].flatMap((group) =>
  existsSync(join(root, group)) ? readdirSync(join(root, group)).map((name) => join(root, group, name)) : [],
);
const reportOf = (dir) => join(dir, '.test-results', 'results.json');

// Stale reports from earlier runs must not be counted; turbo restores cached ones.
for (const dir of workspaces) rmSync(reportOf(dir), { force: true });

const turbo = spawnSync('pnpm', ['exec', 'turbo', 'run', 'test', '--continue', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { TURBO_TELEMETRY_DISABLED: '1', ...process.env },
});

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const dir of workspaces) {
  if (!existsSync(reportOf(dir))) continue;
  const report = JSON.parse(readFileSync(reportOf(dir), 'utf8'));
  const name = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
  // A test file that fails to load counts as a failure even though it ran no test.
  const brokenFiles = report.testResults.filter(
    (file) => file.status === 'failed' && file.assertionResults.length === 0,
  ).length;
  const pkgSkipped = report.numPendingTests + report.numTodoTests;
  passed += report.numPassedTests;
  failed += report.numFailedTests + brokenFiles;
  skipped += pkgSkipped;
  rows.push(
    `  ${name.padEnd(24)} ${String(report.numPassedTests).padStart(5)} passed ${String(report.numFailedTests + brokenFiles).padStart(3)} failed ${String(pkgSkipped).padStart(3)} skipped`,
  );
}

console.log('\nTests by package (all backends):');
console.log(rows.join('\n'));
const turboFailed = turbo.status !== 0;
if (turboFailed && failed === 0) failed += 1; // a task that crashed before reporting still fails the run
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || turboFailed || passed === 0 ? 1 : 0;
