import type { ResolvedTransformerConfig } from '../model/config.js';
import {
  checkCheckpointFolder,
  checkpointFileNames,
  readCheckpointTensors,
  readJsonFile,
} from './checkpoint-files.js';
import { gpt2ConfigFromJson } from './gpt2-config.js';
import { matchGpt2Weights, type UnexpectedTensors } from './gpt2-weight-match.js';
import type { SafetensorsTensor } from './safetensors-read.js';

/** A GPT-2 checkpoint folder read and validated, as plain values: no TF.js tensor exists yet. */
export interface Gpt2CheckpointContents {
  readonly config: ResolvedTransformerConfig;
  readonly hfConfig: Readonly<Record<string, unknown>>;
  /** By the names of `gpt2WeightSpecs` (no prefix), in its order. */
  readonly weights: ReadonlyMap<string, SafetensorsTensor>;
  readonly weightFiles: readonly string[];
}

/** Reads config.json and the weights of a folder and checks them against each other, creating no tensor. */
export async function readGpt2Checkpoint(
  folder: string,
  unexpected: UnexpectedTensors,
): Promise<Gpt2CheckpointContents> {
  await checkCheckpointFolder(folder);
  const hfConfig = await readJsonFile(folder, checkpointFileNames.config);
  const mapping = gpt2ConfigFromJson(hfConfig, checkpointFileNames.config);
  const { tensors, files } = await readCheckpointTensors(folder);
  const weights = matchGpt2Weights(tensors, mapping, unexpected);
  return {
    config: mapping.config,
    hfConfig: hfConfig as Record<string, unknown>,
    weights,
    weightFiles: files,
  };
}
