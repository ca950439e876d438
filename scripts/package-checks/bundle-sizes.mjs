// What a browser app pays for one import: each entry bundled from the installed tarballs as an app's bundler
// would (esbuild, browser platform, minified, ESM). TF.js packages are external (peers: the app has them
// anyway), and so are Node built-ins (adapter-cv reads files; a browser build would stub them).
//
// Each entry has a budget in KiB, minified; a bigger bundle fails the check. The budgets leave ~15% room: a
// method that outgrows its budget, or a top-level side effect that drags every method into one import, shows
// up here. An attribution method bundled alone must also contain no other method's id.
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

/**
 * Budgets in KiB (1024 bytes) of minified output, by entry name. Reset in issue 12, when every gradient method
 * gained tfjs-internals' self-checks (~14 KiB, run once before the first recorded pass), run-time
 * `outputGradients` and model-aware plans, and LRP its open rules, composites and canonizers. Core's plugin
 * entry grew in issue 14 by the safetensors codec moved from adapter-nlp (~3.5 KiB); its main entry in issue 16 by
 * the parameters ⇄ TensorDict bridge and TensorDict arithmetic (~6.6 KiB: 78.4 → 85.1).
 */
const budgetsKiB = {
  // Issue 17: Workflow.prepare (PreparedWorkflow, hook gates, shared execution code) and KeyedModule (~4.5 KiB).
  '@tdhook/core': 91,
  '{ TensorDict } from @tdhook/core': 28,
  // Issue 16: checkOptionNames (0.3 KiB) and parameterVariables (2 KiB: the parameter walk), moved here from
  // intervention and weights.
  '@tdhook/core/plugin': 61,
  '@tdhook/attribution': 180,
  '@tdhook/attribution/plugin': 36,
  '{ saliency } from @tdhook/attribution': 71,
  '{ integratedGradients } from @tdhook/attribution': 80,
  '{ noiseTunnel } from @tdhook/attribution': 42,
  '{ noiseTunnelMethod } from @tdhook/attribution': 42,
  '{ guidedBackprop } from @tdhook/attribution': 73,
  '{ gradCam } from @tdhook/attribution': 75,
  '{ lrp } from @tdhook/attribution': 99,
  '{ activationMaximisation } from @tdhook/attribution': 73,
  '{ infidelity } from @tdhook/attribution': 45,
  '{ sensitivity } from @tdhook/attribution': 61,
  '{ relMax } from @tdhook/attribution': 8,
  '{ conceptSelection } from @tdhook/attribution': 37,
  '{ conceptChannelGradient } from @tdhook/attribution': 6,
  '@tdhook/adapter-cv': 280,
  // Issue 13. Everything includes the drawing code of @tdhook/adapter-cv/render, which the attention PNG
  // imports on first use; a tokenizer alone must stay small.
  '@tdhook/adapter-nlp': 340,
  '{ HookedTransformer } from @tdhook/adapter-nlp': 99,
  '{ Gpt2Tokenizer } from @tdhook/adapter-nlp': 15,
  '{ attributeTokens } from @tdhook/adapter-nlp': 148,
  // Issue 14. ml-matrix (float64 SVD, Cholesky) comes with the estimators and local PCA; a method alone
  // (activationCaching, probing) or a measure that needs no float64 decomposition must not carry it.
  '@tdhook/probing': 265,
  '@tdhook/probing/node': 45,
  '{ activationCaching } from @tdhook/probing': 92,
  '{ probing } from @tdhook/probing': 58,
  '{ logisticRegression } from @tdhook/probing': 96,
  '{ twoNn } from @tdhook/probing': 10,
  '{ cka } from @tdhook/probing': 11,
  // Issue 15. Attribution patching bundles @tdhook/attribution's gradient engine (and LRP's rule installation,
  // for RelP); the forward-only methods and the grid must not.
  '@tdhook/intervention': 178,
  '{ activationPatching } from @tdhook/intervention': 79,
  '{ steeringVectors } from @tdhook/intervention': 50,
  '{ activationAddition } from @tdhook/intervention': 78,
  '{ activationPatchingGrid } from @tdhook/intervention': 53,
  '{ attributionPatching } from @tdhook/intervention': 139,
  '{ headSites } from @tdhook/intervention': 5,
  // Issue 16: the whole package, then one method at a time.
  '@tdhook/weights': 122,
  // Issue 16. Pruning bundles core's parameter bridge (list, read, checked apply) and TensorDict (~61 KiB of
  // core); gradientImportance and measureSparsity must not come with it.
  '{ pruning } from @tdhook/weights': 83,
  // Issue 16. A weights method is core's parameter bridge and TensorDict plus its own few KiB.
  '{ taskVectors } from @tdhook/weights': 70,
  // Issue 16.
  '{ adapters } from @tdhook/weights': 44,
  // Issue 16. A sparse autoencoder and its trainer (14.2 KiB measured): no method machinery, no probing.
  '{ SparseAutoencoder, trainSparseAutoencoder } from @tdhook/weights': 17,
  // Issue 17: environments, policies, rollouts, PPO, fitted Q and the corridor methods; the committed weights
  // live in ./pretrained, probes (with @tdhook/probing) in ./probes. An environment alone stays tiny.
  '@tdhook/adapter-rl': 135,
  '@tdhook/adapter-rl/pretrained': 85,
  '@tdhook/adapter-rl/probes': 208,
  '{ rollout } from @tdhook/adapter-rl': 46,
  '{ CartPole } from @tdhook/adapter-rl': 9,
};

// Attribution exports that users call as methods without being method factories themselves, and the
// factory each one is built on (allowed in its bundle).
const builtOn = { noiseTunnel: 'noiseTunnelMethod' };
const otherAttributionEntries = [
  'noiseTunnel',
  'infidelity',
  'sensitivity',
  'relMax',
  'conceptSelection',
  'conceptChannelGradient',
];

const external = ['@tensorflow/*', ...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/** The method factories `@tdhook/attribution` exports (functions with a definition), with their ids. */
function attributionFactories(app) {
  const list = `import * as m from '@tdhook/attribution';
console.log(JSON.stringify(Object.entries(m).filter(([, v]) => typeof v === 'function' && v.definition).map(([k, v]) => [k, v.id])));`;
  return JSON.parse(
    execFileSync('node', ['--input-type=module', '-e', list], { cwd: app, encoding: 'utf8' }),
  );
}

/**
 * Bundles every entry in the scratch project `app` (where the tarballs are installed), appends what exceeds
 * its budget (or has none, or pulls in another method) to `problems`, and returns one row per entry.
 */
export async function measureBundles(app, problems) {
  const factories = attributionFactories(app);
  const ids = new Map(factories);
  const named = (pkg, name) => ({
    name: `{ ${name} } from ${pkg}`,
    source: `export { ${name} } from '${pkg}';`,
    id: ids.get(builtOn[name] ?? name),
    method: pkg === '@tdhook/attribution',
  });
  const entries = [
    { name: '@tdhook/core', source: "export * from '@tdhook/core';" },
    named('@tdhook/core', 'TensorDict'),
    { name: '@tdhook/core/plugin', source: "export * from '@tdhook/core/plugin';" },
    { name: '@tdhook/attribution', source: "export * from '@tdhook/attribution';" },
    { name: '@tdhook/attribution/plugin', source: "export * from '@tdhook/attribution/plugin';" },
    ...factories.map(([name]) => named('@tdhook/attribution', name)),
    ...otherAttributionEntries.map((name) => named('@tdhook/attribution', name)),
    { name: '@tdhook/adapter-cv', source: "export * from '@tdhook/adapter-cv';" },
    { name: '@tdhook/adapter-nlp', source: "export * from '@tdhook/adapter-nlp';" },
    named('@tdhook/adapter-nlp', 'HookedTransformer'),
    named('@tdhook/adapter-nlp', 'Gpt2Tokenizer'),
    named('@tdhook/adapter-nlp', 'attributeTokens'),
    { name: '@tdhook/probing', source: "export * from '@tdhook/probing';" },
    { name: '@tdhook/probing/node', source: "export * from '@tdhook/probing/node';" },
    ...['activationCaching', 'probing', 'logisticRegression', 'twoNn', 'cka'].map((name) =>
      named('@tdhook/probing', name),
    ),
    { name: '@tdhook/intervention', source: "export * from '@tdhook/intervention';" },
    ...[
      'activationPatching',
      'steeringVectors',
      'activationAddition',
      'activationPatchingGrid',
      'attributionPatching',
      'headSites',
    ].map((name) => named('@tdhook/intervention', name)),
    { name: '@tdhook/weights', source: "export * from '@tdhook/weights';" },
    ...['pruning', 'taskVectors', 'adapters'].map((name) => named('@tdhook/weights', name)),
    {
      name: '{ SparseAutoencoder, trainSparseAutoencoder } from @tdhook/weights',
      source: "export { SparseAutoencoder, trainSparseAutoencoder } from '@tdhook/weights';",
    },
    { name: '@tdhook/adapter-rl', source: "export * from '@tdhook/adapter-rl';" },
    { name: '@tdhook/adapter-rl/pretrained', source: "export * from '@tdhook/adapter-rl/pretrained';" },
    { name: '@tdhook/adapter-rl/probes', source: "export * from '@tdhook/adapter-rl/probes';" },
    ...['rollout', 'CartPole'].map((name) => named('@tdhook/adapter-rl', name)),
  ];

  const rows = [];
  for (const entry of entries) {
    const result = await build({
      stdin: { contents: entry.source, resolveDir: app, loader: 'js' },
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      external,
    });
    const code = result.outputFiles[0].contents;
    const text = result.outputFiles[0].text;
    const row = {
      ...entry,
      bytes: code.length,
      gzipBytes: gzipSync(code).length,
      budgetKiB: budgetsKiB[entry.name],
    };
    rows.push(row);
    if (row.budgetKiB === undefined) {
      problems.push(
        `bundle ${entry.name}: no size budget; add one to scripts/package-checks/bundle-sizes.mjs`,
      );
    } else if (row.bytes > row.budgetKiB * 1024) {
      problems.push(
        `bundle ${entry.name}: ${kib(row.bytes)} minified, over its budget of ${row.budgetKiB} KiB ` +
          '(a new top-level side effect keeps unused code alive? see docs/writing-a-method-plugin.md, Packaging)',
      );
    }
    if (entry.method) {
      const others = factories.filter(([, id]) => id !== entry.id && text.includes(JSON.stringify(id)));
      if (others.length > 0) {
        problems.push(
          `bundle ${entry.name}: also contains ${others.map(([name]) => name).join(', ')}; ` +
            'per-method imports must tree-shake (mark top-level calls /* @__PURE__ */)',
        );
      }
    }
  }
  for (const name of Object.keys(budgetsKiB)) {
    if (!entries.some((entry) => entry.name === name)) {
      problems.push(`bundle budget for ${name}: no such entry any more; remove it`);
    }
  }
  return rows;
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The markdown table of bundle sizes. */
export function bundleTable(rows) {
  return [
    '| import | minified | minified + gzip | budget (minified) |',
    '|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| \`${row.name.startsWith('{') ? row.name : `* from ${row.name}`}\` | ${kib(row.bytes)} | ${kib(row.gzipBytes)} | ${row.budgetKiB ?? '–'} KiB |`,
    ),
  ].join('\n');
}
