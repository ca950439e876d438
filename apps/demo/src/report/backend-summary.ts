// Which backend ran and what was patched, in words a reader needs, without the machine's own details
// (absolute paths, loader messages) that @tdhook/backend's log lines carry: for the report's header and the
// demo's first console line.
import type { BackendReport, SkippedBackend } from '@tdhook/backend';

const backendNames: Readonly<Record<string, string>> = {
  'tensorflow-gpu': 'native TensorFlow with CUDA (tfjs-node-gpu)',
  tensorflow: 'native TensorFlow (tfjs-node)',
  wasm: 'WebAssembly (wasm)',
  cpu: 'plain JavaScript (cpu)',
  webgpu: 'WebGPU',
};

/** `text` with every absolute file path (and file: URL) replaced by "…", so no machine's layout leaks. */
export function withoutPaths(text: string): string {
  return text
    .replace(/file:\/\/\S+/g, '…')
    .replace(/(^|[\s('"=])(?:[A-Za-z]:)?[/\\](?:[^\s/\\'"()]+[/\\])+[^\s/\\'"()]*/g, '$1…');
}

interface Skipped {
  readonly name: string;
  readonly why: string;
}

/** Why one faster backend was passed over, in plain words: usually its package is not installed. */
function skipped({ backend, notInstalled, message }: SkippedBackend): Skipped {
  if (notInstalled !== undefined) return { name: backend, why: 'not installed' };
  // The loader's message: "The … backend is not available: <what failed> (<detail>). Install …".
  const what = (message.split(': ')[1] ?? message).split(' (')[0] ?? message;
  return { name: backend, why: `could not start (${withoutPaths(what).trim()})` };
}

/** The facts of a backend report that a reader of the demo needs. */
function facts(report: BackendReport): {
  chosen: string;
  how: string;
  skips: Skipped[];
  installed: number;
  disabled: number;
  rejected: string[];
  selfTestMs: number;
} {
  const skips = report.skipped.map(skipped);
  // Backends are skipped only when picked automatically; a forced choice's reasons say how it was forced.
  const others = report.requested === 'auto' ? [] : report.reasons.map(withoutPaths);
  return {
    chosen: backendNames[report.backend] ?? report.backend,
    how:
      report.requested === 'auto'
        ? 'picked automatically: the fastest backend available on this machine'
        : `as requested${others.length > 0 ? ` (${others.join('; ')})` : ''}`,
    skips,
    installed: report.patches.filter(
      (patch) => patch.status === 'installed' || patch.status === 'already-installed',
    ).length,
    disabled: report.patches.filter((patch) => patch.status === 'disabled').length,
    rejected: report.patches
      .filter((patch) => patch.status === 'failed-self-test' || patch.status === 'failed-to-install')
      .map((patch) => patch.id),
    selfTestMs: report.patches.reduce((total, patch) => total + (patch.selfTestMs ?? 0), 0),
  };
}

function skippedText(skips: readonly Skipped[]): string {
  const byWhy = new Map<string, string[]>();
  for (const { name, why } of skips) byWhy.set(why, [...(byWhy.get(why) ?? []), backendNames[name] ?? name]);
  return [...byWhy].map(([why, names]) => `${names.join(' and ')} ${why}`).join('; ');
}

/**
 * The report header's entries about the backend: which one ran and why, the faster ones skipped, and the
 * kernel patches with their self-test time.
 */
export function backendSummary(
  report: BackendReport,
  tfjsVersion: string,
): (readonly [term: string, text: string])[] {
  const f = facts(report);
  const entries: (readonly [string, string])[] = [
    ['Backend', `${f.chosen}, ${f.how}; TF.js ${tfjsVersion}.`],
  ];
  if (f.skips.length > 0) {
    entries.push([
      'Skipped',
      `${skippedText(f.skips)}. These optional packages are faster; tdhook uses them when they are installed.`,
    ]);
  }
  entries.push([
    'Kernel patches',
    report.patches.length === 0
      ? 'none needed on this backend.'
      : `${String(f.installed)} installed, each checked against TF.js's reference cpu kernels at start-up (${f.selfTestMs.toFixed(0)} ms in all); they make gradients correct and fast on ${report.backend}` +
        (f.disabled > 0 ? `; ${String(f.disabled)} turned off by request` : '') +
        (f.rejected.length > 0
          ? `; ${String(f.rejected.length)} failed the check and were left out (${f.rejected.join(', ')})`
          : '') +
        '.',
  ]);
  return entries;
}

/** The packages' own short names, for the console. */
const shortNames: Readonly<Record<string, string>> = {
  'tensorflow-gpu': 'tfjs-node-gpu',
  tensorflow: 'tfjs-node',
};

/** One short console line: the backend, why, and the patches. */
export function backendLine(report: BackendReport, tfjsVersion: string): string {
  const f = facts(report);
  const byWhy = new Map<string, string[]>();
  for (const { name, why } of f.skips) byWhy.set(why, [...(byWhy.get(why) ?? []), shortNames[name] ?? name]);
  const skipped = [...byWhy].map(([why, names]) => `${names.join(' and ')} ${why}`).join('; ');
  const how = report.requested === 'auto' ? 'picked automatically' : 'as requested';
  const patches =
    report.patches.length === 0
      ? ''
      : `; ${String(f.installed)} kernel patches self-tested in ${f.selfTestMs.toFixed(0)} ms${f.rejected.length > 0 ? `, ${String(f.rejected.length)} REJECTED (${f.rejected.join(', ')})` : ''}`;
  return `TF.js ${tfjsVersion} on ${shortNames[report.backend] ?? report.backend}, ${how}${skipped === '' ? '' : ` (${skipped})`}${patches}`;
}
