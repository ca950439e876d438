// @tdhook/adapter-nlp: hookable GPT-2-architecture transformers, checkpoints, tokenizers, generation, token
// attribution and text views.
export {
  gpt2WeightSpecs,
  type ActivationFunction,
  type Gpt2WeightSpec,
  type ResolvedTransformerConfig,
  type TransformerConfig,
} from './model/config.js';
export {
  CheckpointError,
  type CheckpointErrorCode,
  type CheckpointErrorInit,
} from './checkpoint/checkpoint-error.js';
export type { SafetensorsDtype } from './checkpoint/safetensors-dtype.js';
export {
  readSafetensors,
  type ReadSafetensorsOptions,
  type SafetensorsContents,
  type SafetensorsTensor,
} from './checkpoint/safetensors-read.js';
export {
  writeSafetensors,
  type SafetensorsTensorInput,
  type WriteSafetensorsOptions,
} from './checkpoint/safetensors-write.js';
