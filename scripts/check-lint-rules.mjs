// Guards the lint rules themselves: lints small snippets as if they sat in packages' sources and checks
// that the runtime-choosing imports are rejected in library packages and allowed where they belong, and
// that TF.js internals (engine, kernel and gradient registries, console.warn swaps) are rejected everywhere
// but in @tdhook/tfjs-internals.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

// Type information is not needed for these rules, and the snippets are not in any tsconfig.
const eslint = new ESLint({
  overrideConfig: [
    tseslint.configs.disableTypeChecked,
    { languageOptions: { parserOptions: { project: false } } },
  ],
});

const forbidden = [
  ["import * as tf from '@tensorflow/tfjs';", 'no-restricted-imports'],
  ["import '@tensorflow/tfjs-backend-wasm';", 'no-restricted-imports'],
  ["import '@tensorflow/tfjs-node-gpu';", 'no-restricted-imports'],
  ["export const load = () => import('@tensorflow/tfjs-node');", 'no-restricted-syntax'],
  [
    "import * as tf from '@tensorflow/tfjs-core';\nexport const use = () => tf.setBackend('cpu');",
    'no-restricted-syntax',
  ],
  ['export default 1;', 'no-restricted-exports'],
];
const failures = [];
for (const [code, rule] of forbidden) {
  const [result] = await eslint.lintText(code, { filePath: 'packages/core/src/lint-rule-check.ts' });
  if (!result?.messages.some((m) => m.ruleId === rule))
    failures.push(`not rejected by ${rule} in packages/core/src: ${code}`);
}
for (const filePath of [
  'packages/backend/src/lint-rule-check.ts',
  'packages/testing/src/lint-rule-check.ts',
]) {
  const [result] = await eslint.lintText("import '@tensorflow/tfjs-backend-wasm';\n", { filePath });
  const restricted = result?.messages.filter((m) => m.ruleId === 'no-restricted-imports') ?? [];
  if (restricted.length > 0) failures.push(`${filePath}: backend imports must be allowed here`);
}

// TF.js internals: only @tdhook/tfjs-internals may touch them, in its sources and tests alike.
const tf = "import * as tf from '@tensorflow/tfjs-core';\n";
const internals = [
  `${tf}export const tape = () => tf.engine().state;`,
  "import { engine } from '@tensorflow/tfjs-core';\nexport const state = () => engine().state;",
  "import { getGradient } from '@tensorflow/tfjs-core';\nexport const find = getGradient;",
  `${tf}export const register = (config: tf.KernelConfig) => tf.registerKernel(config);`,
  `${tf}export const remove = () => tf.unregisterKernel('Neg', 'cpu');`,
  `${tf}export const find = () => tf.getKernel('Neg', 'cpu');`,
  `${tf}export const all = () => tf.getKernelsForBackend('cpu');`,
  `${tf}export const register = (config: tf.GradConfig) => tf.registerGradient(config);`,
  `${tf}export const remove = () => tf.unregisterGradient('Relu');`,
  `${tf}export const findGradient = tf.getGradient;`,
  'console.warn = () => undefined;',
  "Object.defineProperty(console, 'warn', { value: () => undefined });",
  // Reached without a named import or a call of the member (issue 12 review).
  `${tf}const { registerKernel } = tf;\nexport const register = registerKernel;`,
  `${tf}const { engine } = tf;\nexport const state = () => engine().state;`,
  `${tf}export const find = () => tf['getKernel']('Neg', 'cpu');`,
  `${tf}export const find = () => tf[\`getGradient\`]('Relu');`,
  `${tf}export const find = () => Reflect.get(tf, 'getKernel') as unknown;`,
  `${tf}const e = tf.engine;\nexport const state = () => e().state;`,
  "export { getKernel } from '@tensorflow/tfjs-core';",
  "import { ENV } from '@tensorflow/tfjs-core';\nexport const flags = () => ENV.features;",
  `${tf}export const flags = () => tf.ENV.features;`,
  'export const registries = () => (globalThis as unknown as { _tfGlobals: unknown })._tfGlobals;',
  "export const registries = () => Reflect.get(globalThis, '_tfGlobals') as unknown;",
  "export const tfEngine = () => (globalThis as Record<string, unknown>)['_tfengine'];",
  'globalThis.console.warn = () => undefined;',
  "console['warn'] = () => undefined;",
  'Object.assign(console, { warn: () => undefined });',
];
// Not internals, though the names match: silent everywhere, library sources included.
const notInternals = [
  'function engine(): number {\n  return 1;\n}\nexport const value = engine();',
  'export class Runner {\n  engine = 1;\n  read(): number {\n    return this.engine;\n  }\n}',
  "export const mode = (): string | undefined => process.env.ENV ?? process.env['ENV'];",
  `${tf}export const node = () => tf.env().getBool('IS_NODE');`,
  'export const log = (message: string) => {\n  console.warn(message);\n};',
];
const internalsElsewhere = [
  'packages/core/src/lint-rule-check.ts',
  'packages/attribution/src/lint-rule-check.ts',
  'packages/backend/src/lint-rule-check.ts',
  'packages/backend/src/lint-rule-check.test.ts',
  'packages/attribution/test/lint-rule-check.test.ts',
  'apps/demo/src/lint-rule-check.ts',
];
for (const code of internals) {
  for (const filePath of internalsElsewhere) {
    const [result] = await eslint.lintText(code, { filePath });
    if (!result?.messages.some((m) => m.ruleId === 'no-restricted-syntax'))
      failures.push(`not rejected in ${filePath}: ${code.replace(/\n/g, ' ')}`);
  }
  for (const filePath of [
    'packages/tfjs-internals/src/lint-rule-check.ts',
    'packages/tfjs-internals/src/lint-rule-check.test.ts',
  ]) {
    const [result] = await eslint.lintText(code, { filePath });
    if (result?.messages.some((m) => m.ruleId === 'no-restricted-syntax'))
      failures.push(`${filePath}: must be allowed in @tdhook/tfjs-internals: ${code.replace(/\n/g, ' ')}`);
  }
}
for (const code of notInternals) {
  for (const filePath of [
    ...internalsElsewhere,
    'packages/tfjs-internals/src/lint-rule-check.ts',
    'packages/tfjs-internals/src/lint-rule-check.test.ts',
  ]) {
    const [result] = await eslint.lintText(code, { filePath });
    if (result?.messages.some((m) => m.ruleId === 'no-restricted-syntax'))
      failures.push(`${filePath}: wrongly rejected as TF.js internals: ${code.replace(/\n/g, ' ')}`);
  }
}
if (failures.length > 0) {
  console.error(`lint rule check failed:\n- ${failures.join('\n- ')}`);
  process.exitCode = 1;
} else {
  console.log(
    `lint rules: ${forbidden.length} forbidden patterns rejected in library sources, allowed in backend and testing`,
  );
  console.log(
    `lint rules: ${internals.length} uses of TF.js internals rejected in ${internalsElsewhere.length} places ` +
      '(core, attribution and backend sources, tests, apps), allowed in @tdhook/tfjs-internals',
  );
  console.log(
    `lint rules: ${notInternals.length} look-alikes (a local function named engine, this.engine, process.env.ENV, ` +
      'tf.env(), console.warn calls) allowed everywhere',
  );
}
