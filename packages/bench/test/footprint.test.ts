// The footprint offline: one small workspace package packed, installed and imported; the install-size walk
// over a hand-made node_modules; and a registry that does not answer, recorded rather than thrown. The real
// registry (tfjs, tfjs-node) only with TDHOOK_BENCH_NETWORK=1: CI may or may not have a network.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { installedClosure } from '../src/footprint/disk.js';
import { measureFootprint } from '../src/footprint/measure-footprint.js';

const root = new URL('../../..', import.meta.url).pathname;
const network = process.env.TDHOOK_BENCH_NETWORK === '1';

describe('measureFootprint', () => {
  it('packs, installs and imports @tdhook/core (offline)', async () => {
    const lines: string[] = [];
    const footprint = await measureFootprint({
      root,
      packages: ['@tdhook/core'],
      references: false,
      importRuns: 2,
      onProgress: (line) => lines.push(line),
    });
    expect(footprint.notes).toEqual([]);
    expect(footprint.packages).toHaveLength(1);
    const [core] = footprint.packages;
    expect(core?.name).toBe('@tdhook/core');
    expect(core?.packedBytes).toBeGreaterThan(10_000);
    expect(core?.unpackedBytes).toBeGreaterThan(core?.packedBytes ?? Infinity); // gzip shrinks it
    expect(core?.files).toBeGreaterThan(10);
    // tfjs-core is a peer; its one dependency is @tdhook/tfjs-internals, packed and installed beside it.
    expect((core?.installed ?? []).map((entry) => entry.replace(/@[^@]*$/, ''))).toEqual([
      '@tdhook/core',
      '@tdhook/tfjs-internals',
    ]);
    expect(core?.installedBytes).toBeGreaterThan(core?.unpackedBytes ?? Infinity);
    expect(core?.importMs).toBeGreaterThanOrEqual(0);
    expect(footprint.emptyNodeMs).toBeGreaterThan(0);
    expect(footprint.sets).toEqual([]); // a set needs core, attribution and backend
    expect(footprint.references).toEqual([]);
    expect(lines[0]).toBe('footprint: packing @tdhook/core');
  }, 120_000);

  it('records a registry that does not answer instead of throwing', async () => {
    const saved = process.env.npm_config_registry;
    process.env.npm_config_registry = 'http://127.0.0.1:9/';
    try {
      const footprint = await measureFootprint({ root, packages: [], tfjsVersion: '4.22.0', importRuns: 1 });
      expect(footprint.references.map((ref) => ref.name)).toEqual([
        '@tensorflow/tfjs-core',
        '@tensorflow/tfjs',
        '@tensorflow/tfjs-node',
      ]);
      for (const ref of footprint.references) {
        expect(ref.error).toMatch(/^npm pack failed/);
        expect(ref.installedBytes).toBeUndefined();
      }
    } finally {
      if (saved === undefined) delete process.env.npm_config_registry;
      else process.env.npm_config_registry = saved;
    }
  }, 120_000);

  it.runIf(network)(
    'measures the TF.js packages from the registry, tfjs-node without libtensorflow',
    async () => {
      const footprint = await measureFootprint({ root, packages: ['@tdhook/core'], importRuns: 1 });
      const byName = new Map(footprint.references.map((ref) => [ref.name, ref]));
      expect(byName.get('@tensorflow/tfjs')?.installedBytes).toBeGreaterThan(10 * 2 ** 20);
      expect(byName.get('@tensorflow/tfjs-node')?.note).toMatch(/libtensorflow .* NOT counted/);
      expect(byName.get('@tensorflow/tfjs-node')?.installed).toContain('@tensorflow/tfjs@4.22.0');
    },
    600_000,
  );
});

describe('installedClosure', () => {
  let project: string | undefined;
  afterEach(() => {
    if (project !== undefined) rmSync(project, { recursive: true, force: true });
  });

  const write = (dir: string, manifest: object, bytes: number): void => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
    writeFileSync(join(dir, 'index.js'), 'x'.repeat(bytes));
  };

  it('follows dependencies, hoisted or nested, counts each once, and leaves peers out', () => {
    project = mkdtempSync(join(tmpdir(), 'tdhook-closure-test-'));
    const modules = join(project, 'node_modules');
    const a = {
      name: 'a',
      version: '1.0.0',
      dependencies: { b: '1', c: '1' },
      peerDependencies: { peer: '1' },
    };
    write(join(modules, 'a'), a, 100);
    write(join(modules, 'b'), { name: 'b', version: '1.0.0', dependencies: { c: '2' } }, 200);
    write(join(modules, 'b/node_modules/c'), { name: 'c', version: '2.0.0' }, 300); // nested: b's own c
    write(join(modules, 'c'), { name: 'c', version: '1.0.0', optionalDependencies: { absent: '1' } }, 400);
    write(join(modules, 'peer'), { name: 'peer', version: '1.0.0' }, 10_000);
    const closure = installedClosure(project, ['a']);
    expect(closure.installed).toEqual(['a@1.0.0', 'b@1.0.0', 'c@1.0.0', 'c@2.0.0']);
    const manifests = [
      a,
      { name: 'b', version: '1.0.0', dependencies: { c: '2' } },
      { name: 'c', version: '2.0.0' },
    ];
    const manifestBytes =
      manifests.reduce((sum, m) => sum + JSON.stringify(m).length, 0) +
      JSON.stringify({ name: 'c', version: '1.0.0', optionalDependencies: { absent: '1' } }).length;
    expect(closure.bytes).toBe(100 + 200 + 300 + 400 + manifestBytes);
    expect(closure.missing).toEqual([]);
    expect(installedClosure(project, ['nowhere']).missing).toEqual(['nowhere']);
  });
});
