// The package managers the footprint runs: pnpm packs the workspace packages (as `changeset publish` does),
// npm fetches and installs (as users do). Failures become one readable line.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * One line for a failed command: npm's error code and message (without its stack), or the last lines of
 * stderr, or the error's own message.
 */
export function commandError(error: unknown): string {
  const output = (error as { stderr?: string | Buffer }).stderr?.toString() ?? '';
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const npm = lines
    .filter((line) => /^npm (error|ERR!)/.test(line))
    .map((line) => line.replace(/^npm (error|ERR!)\s*/, ''));
  const code = npm.find((line) => line.startsWith('code '))?.slice(5);
  const message = npm.find(
    (line) =>
      line !== '' &&
      !/^(code|syscall|errno|at|A complete log|If you are behind)\b/.test(line) &&
      !/^[{}]/.test(line),
  );
  const chosen =
    npm.length > 0
      ? [code, message].filter((part) => part !== undefined).join(': ')
      : lines.slice(-3).join(' | ');
  const text =
    chosen !== '' ? chosen : error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** Runs a command to its end; its stdout. Rejects with the error `commandError` reads. */
export async function run(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs = 600_000,
): Promise<string> {
  const { stdout } = await execFileAsync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

// A registry that does not answer should fail within a minute or so, not npm's default five per request.
const registryFlags = [
  '--fetch-timeout=30000',
  '--fetch-retries=1',
  '--fetch-retry-mintimeout=2000',
  '--fetch-retry-maxtimeout=10000',
];

/** Packs a workspace package with pnpm into `destination`; the tarball's path. */
export async function pnpmPack(dir: string, destination: string): Promise<string> {
  const before = new Set(readdirSync(destination));
  await run('pnpm', ['pack', '--pack-destination', destination], dir);
  const made = readdirSync(destination).find((file) => file.endsWith('.tgz') && !before.has(file));
  if (made === undefined) throw new Error(`pnpm pack made no tarball in ${destination}`);
  return join(destination, made);
}

/** Fetches `spec` (`@tensorflow/tfjs@4.22.0`) from the registry as its tarball; the tarball's path. */
export async function npmPack(spec: string, destination: string): Promise<string> {
  const output = await run(
    'npm',
    ['pack', spec, '--pack-destination', destination, '--json', '--loglevel=error', ...registryFlags],
    destination,
  );
  const [info] = JSON.parse(output) as { filename: string }[];
  if (info === undefined) throw new Error(`npm pack ${spec} reported no tarball`);
  return join(destination, info.filename.replace(/^@/, '').replace(/\//, '-'));
}

/**
 * An empty project in `dir` with `specs` (tarball paths) installed by npm: no lockfile, no audit, and peers
 * left out (`--legacy-peer-deps`), so that node_modules holds the packages and their dependencies only.
 */
export async function npmInstall(
  dir: string,
  specs: readonly string[],
  options: { readonly ignoreScripts?: boolean } = {},
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tdhook-footprint', private: true }));
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--legacy-peer-deps',
      '--loglevel=error',
      ...registryFlags,
      ...(options.ignoreScripts === true ? ['--ignore-scripts'] : []),
      ...specs,
    ],
    dir,
  );
}

export async function npmVersion(): Promise<string> {
  try {
    return (await run('npm', ['--version'], process.cwd())).trim();
  } catch (error) {
    return `unknown (${commandError(error)})`;
  }
}
