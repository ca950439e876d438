export { fileModelHandler, modelJsonPath, readModelArtifacts } from './model-files.js';
export { loadModel, modelFormatOf, type LoadedModel, type VisionModelMetadata } from './load-model.js';
