// What a fragment in the docs assumes, by name, for the snippet check (doc-snippets.mjs). A snippet names
// the ones it needs in an HTML comment before its fence: `<!-- snippet: tf, layers-model -->`. Each is
// prepended to the snippet's module; declarations use `import()` types so that they clash with nothing the
// snippet imports itself.
export const preludes = {
  /** `import * as tf from '@tensorflow/tfjs-core'`, for fragments that use `tf` without importing it. */
  tf: "import * as tf from '@tensorflow/tfjs-core';",
  /** `model`: a TF.js Layers model. */
  'layers-model': "declare const model: import('@tensorflow/tfjs-layers').LayersModel;",
  /** `model`: a tdhook Module (a model written as code). */
  'module-model': "declare const model: import('@tdhook/core').Module;",
  /** `x`: an input batch. */
  input: "declare const x: import('@tensorflow/tfjs-core').Tensor;",
  /** `images`: a batch of images, NHWC. */
  images: "declare const images: import('@tensorflow/tfjs-core').Tensor4D;",
  /** `data`: a TensorDict holding the model's input. */
  data: "declare const data: import('@tdhook/core').TensorDict;",
  /** `activationNorms`: the method of the plugin guide (apps/example-plugin). */
  'activation-norms':
    "declare const activationNorms: import('@tdhook/core').MethodFactory<{ readonly paths: readonly string[]; readonly key?: string }>;",
  /** docs/workflows.md: the imports of its first snippet, and its model and data. */
  'workflow-imports': [
    "import * as tf from '@tensorflow/tfjs-core';",
    "import { defineOperator, TensorDict, Workflow } from '@tdhook/core';",
    "import { conceptSelection, infidelity, integratedGradients, lrp, saliency, selectedChannelGradient } from '@tdhook/attribution';",
    "declare const model: import('@tensorflow/tfjs-layers').LayersModel;",
    "declare const data: import('@tdhook/core').TensorDict;",
  ].join('\n'),
  /** docs/workflows.md after its first example: the `target` and `workflow` built there. */
  'workflow-built': [
    "const target = { select: 'argmax' } as const;",
    "declare const workflow: import('@tdhook/core').Workflow;",
  ].join('\n'),
  /** `inputTimesGradient`: the attribution plugin of apps/example-plugin (a third-party method factory). */
  'input-times-gradient':
    "declare const inputTimesGradient: import('@tdhook/core').MethodFactory<{ readonly target?: { readonly select?: 'argmax' | number }; readonly multiplyByInput?: boolean }>;",
  /** `folder`: the path of a Hugging Face GPT-2 checkpoint folder. */
  'checkpoint-folder': 'declare const folder: string;',
  /** `model`: @tdhook/adapter-nlp's transformer (hook points as module paths, `model.config`). */
  'hooked-transformer': "declare const model: import('@tdhook/adapter-nlp').HookedTransformer;",
  /** `clean`, `corrupted`: int32 token ids of one shape, `[prompts, positions]` (a patching pair). */
  'clean-corrupted': [
    "declare const clean: import('@tensorflow/tfjs-core').Tensor2D;",
    "declare const corrupted: import('@tensorflow/tfjs-core').Tensor2D;",
  ].join('\n'),
  /** `clean`, `corrupted`: token ids `[1, 12]` of a clean and a corrupted prompt (attribution patching). */
  'token-pair': [
    "declare const clean: import('@tensorflow/tfjs-core').Tensor2D;",
    "declare const corrupted: import('@tensorflow/tfjs-core').Tensor2D;",
  ].join('\n'),
};
