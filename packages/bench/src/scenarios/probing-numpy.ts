// The numpy side of the probing-geometry scenarios: python/probing_geometry.py, started once per measured
// process and spoken to in JSON lines, so that Python's start-up and numpy's import count as set-up (spawn)
// and a measured call is the computation plus one line each way.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** What the script answers: `ok` with the request's fields, or the error it caught. */
interface NumpyReply {
  readonly ok: boolean;
  readonly error?: string;
  readonly values?: readonly number[];
  readonly seconds?: number;
  readonly python?: string;
  readonly numpy?: string;
}

/**
 * A running numpy script: `request` sends one JSON line and resolves with its reply; `close` ends it.
 *
 * @example
 * const numpy = await startNumpy();
 * const { values } = await numpy.request({ op: 'run', measure: 'cka' });
 */
export interface NumpyProcess {
  /** The Python that runs it, e.g. `/usr/bin/python3 (3.11.2, numpy 1.24.2)`. */
  readonly description: string;
  request(message: Record<string, unknown>): Promise<NumpyReply>;
  close(): void;
}

const scriptName = join('python', 'probing_geometry.py');

/** The script, found from this module up: src/scenarios/ in the repository, dist/ once built. */
function scriptPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(dir, scriptName);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`@tdhook/bench: ${scriptName} is missing next to this package`);
}

// TDHOOK_PYTHON first, then Debian's python3 (python3-numpy), then whatever python3 is on PATH.
const candidates = (): string[] =>
  [process.env['TDHOOK_PYTHON'], '/usr/bin/python3', 'python3'].filter(
    (command): command is string => command !== undefined && command !== '',
  );

let found: string | null | undefined;

/**
 * The first Python that imports numpy (`TDHOOK_PYTHON`, `/usr/bin/python3`, `python3`), or `null` when none
 * does; looked up once per process.
 *
 * @example
 * if (findNumpyPython() === null) console.log('numpy comparison skipped');
 */
export function findNumpyPython(): string | null {
  found ??=
    candidates().find(
      (command) => spawnSync(command, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0,
    ) ?? null;
  return found;
}

/**
 * Starts the numpy script under the first Python with numpy. Throws, with what to install, when there is
 * none: the harness records that as the variant's error (a note in the report) and goes on.
 *
 * @example
 * const numpy = await startNumpy();
 * numpy.close();
 */
export async function startNumpy(): Promise<NumpyProcess> {
  const python = findNumpyPython();
  if (python === null) {
    throw new Error(
      `numpy comparison skipped: no Python with numpy (tried ${candidates().join(', ')}); install python3-numpy or set TDHOOK_PYTHON`,
    );
  }
  const child: ChildProcessWithoutNullStreams = spawn(python, [scriptPath()], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-1000);
  });
  const waiting: ((reply: NumpyReply) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    waiting.shift()?.(JSON.parse(line) as NumpyReply);
  });
  const fail = (why: string): void => {
    for (const resolve of waiting.splice(0))
      resolve({ ok: false, error: `${python} ${why}: ${stderr.trim()}` });
  };
  child.on('exit', (code) => {
    fail(`exited with code ${String(code)}`);
  });
  child.on('error', (error) => {
    fail(`did not start (${error.message})`);
  });
  const request = (message: Record<string, unknown>): Promise<NumpyReply> =>
    new Promise<NumpyReply>((resolve) => {
      waiting.push(resolve);
      child.stdin.write(`${JSON.stringify(message)}\n`);
    }).then((reply) => {
      if (!reply.ok) throw new Error(`numpy: ${reply.error ?? 'no answer'}`);
      return reply;
    });
  const info = await request({ op: 'info' });
  return {
    description: `${python} (${info.python ?? '?'}, numpy ${info.numpy ?? '?'})`,
    request,
    close: () => {
      child.stdin.end();
      child.kill();
    },
  };
}
