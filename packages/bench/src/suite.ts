// tdhook's own benchmark suite, in report order (the NLP scenarios need the optional peer @tdhook/adapter-nlp; the
// probing ones import @tdhook/probing, @tdhook/adapter-cv and @tdhook/cv-assets when set up, the patching ones
// @tdhook/intervention and @tdhook/nlp-assets, weights-apply and sae-training @tdhook/weights, the rl-rollout ones @tdhook/adapter-rl, so the suite loads without them). Each scenario compares tdhook with the plain TF.js code doing the same math (backend-kernels:
// patched against stock wasm kernels; probing-geometry-*: numpy in a Python process).
import type { Suite } from './scenario.js';
import { activationCaching } from './scenarios/activation-caching.js';
import { backendKernels } from './scenarios/backend-kernels.js';
import { igMultiTarget } from './scenarios/ig-targets.js';
import { interventionChains } from './scenarios/intervention-chains.js';
import { generationKvCache } from './scenarios/generation.js';
import { gpt2Cache, runWithCacheSelection } from './scenarios/gpt2-cache.js';
import { lrpEpsilonPlus } from './scenarios/lrp-epsilon.js';
import { attributionPatchingScenario } from './scenarios/patching-attribution.js';
import { patchingGrid } from './scenarios/patching-grid.js';
import { probingDiskCache } from './scenarios/probing-disk-cache.js';
import { probingCka, probingInformationImbalance, probingTwoNn } from './scenarios/probing-geometry.js';
import { saeTraining } from './scenarios/sae-training.js';
import { weightsApply } from './scenarios/weights-apply.js';
import { rlRolloutHooks } from './scenarios/rl-rollout-hooks.js';
import { rlRolloutWorkflow } from './scenarios/rl-rollout-workflow.js';

export const suite: Suite = [
  igMultiTarget,
  lrpEpsilonPlus,
  interventionChains,
  activationCaching,
  gpt2Cache,
  runWithCacheSelection,
  generationKvCache,
  patchingGrid,
  attributionPatchingScenario,
  probingDiskCache,
  probingTwoNn,
  probingCka,
  probingInformationImbalance,
  weightsApply,
  saeTraining,
  rlRolloutWorkflow,
  rlRolloutHooks,
  backendKernels,
];
