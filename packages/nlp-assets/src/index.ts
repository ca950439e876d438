// @tdhook/nlp-assets: the language assets of tdhook's tests, CLI examples and demo — seeded task generators
// (IOI, induction, Moby Dick characters), the three small transformers trained here (folders under models/),
// and lande, the npm language-identification MLP, as a hookable tdhook Module with its n-gram featurizer.
export { createRandom, pick, randomInt, shuffled, type Random } from './random.js';
export { ioiNames, isHeldOutPair } from './tasks/first-names.js';
export {
  generateIoiPrompts,
  ioiTemplates,
  ioiVocabulary,
  type IoiOptions,
  type IoiOrder,
  type IoiPrompt,
} from './tasks/ioi.js';
export { generateInductionBatch, type InductionBatch, type InductionOptions } from './tasks/induction.js';
export { mobyDickCorpus, sampleMobyDickWindows, type MobyDickCorpus } from './tasks/moby-dick.js';
export {
  featurizeLande,
  landeCharacterScores,
  landeFeatureNames,
  type LandeFeatures,
  type LandeOccurrence,
} from './lande/lande-features.js';
export { LandeDense, LandeModel, LandeRelu } from './lande/lande-model.js';
export { loadLande, type LandeBundle } from './lande/load-lande.js';
export {
  loadInductionModel,
  loadIoiModel,
  loadMobyCharModel,
  loadNlpModel,
  type LoadedNlpModel,
} from './load-models.js';
export { modelDirs, packageRoot, type NlpModelName } from './model-dirs.js';
