// Activation addition on the Moby Dick character model: the residual stream of a line of dialogue minus that
// of a line of narration (activationAddition), averaged over positions, added at every step of seeded
// generation (steeringVectors + addVector while adapter-nlp's generate runs). The same seed with and without
// the vector; the share of dialogue marks (quotes, ! and ?) measures the shift, the share of letters whether
// the model still writes text.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { generate, type HookedTransformer, type Tokenizer } from '@tdhook/adapter-nlp';
import { activationAddition, addVector, steeringVectors } from '@tdhook/intervention';

/** The steering experiment's fixed choices, for the report's text. */
export const steeringSetup = {
  positive: '“ha!” said he. “',
  negative: 'and the sea was ',
  prompt: 'the old man saw the ',
  hook: 'blocks.1.hook_resid_pre',
  coefficients: [0, 0.5, 1, 1.5, 2, 3],
  // The largest coefficient whose samples still read as (this small model's) text; from 2 on they do not.
  shown: 1,
  samples: 16,
  newTokens: 100,
  seed: 3,
  temperature: 0.8,
} as const;

/** What characters count as dialogue marks. */
const dialogueMarks = /[“”‘’!?]/g;
const letters = /[a-z]/gi;

/** One coefficient's generations. */
export interface SteeredRun {
  readonly coefficient: number;
  readonly texts: readonly string[];
  /** Dialogue marks per 100 generated characters, over all samples. */
  readonly marksPer100: number;
  /** Letters per 100 generated characters (the rest: spaces, line breaks, punctuation, digits). */
  readonly lettersPer100: number;
}

/** The steering vector's size and the runs, one per coefficient (0 = unsteered). */
export interface SteeringResult {
  readonly vectorNorm: number;
  readonly residualNorm: number;
  readonly runs: readonly SteeredRun[];
}

async function generateTexts(
  model: HookedTransformer,
  tokenizer: Tokenizer,
  prompt: tf.Tensor,
): Promise<string[]> {
  const { samples, newTokens, seed, temperature } = steeringSetup;
  const { newTokens: generated } = await generate(model, prompt, {
    maxNewTokens: newTokens,
    strategy: { kind: 'sampled', seed, temperature },
  });
  return generated.slice(0, samples).map((ids) => tokenizer.decode(ids));
}

/** Mean over positions of act(positive) − act(negative) at the hook: a `[dModel]` vector the caller disposes. */
function steeringVector(model: HookedTransformer, tokenizer: Tokenizer): tf.Tensor1D {
  const { positive, negative, hook } = steeringSetup;
  const encode = (text: string): tf.Tensor2D => tf.tensor2d([tokenizer.encode(text)], undefined, 'int32');
  using data = new TensorDict(
    { positive: { input: encode(positive) }, negative: { input: encode(negative) } },
    { batchShape: [1] },
  );
  using prepared = activationAddition({ modules: [hook] }).prepare(model);
  using result = prepared.run(data);
  // [positions, dModel] (batch dims averaged): reduced over positions, so that it fits any step.
  return tf.mean<tf.Tensor1D>(result.getTensor(['steer', hook]), 0);
}

/** Typical size of the residual stream at the hook on the prompt: the mean norm over positions. */
function residualNorm(model: HookedTransformer, prompt: tf.Tensor): number {
  const { hook } = steeringSetup;
  const { logits, cache } = model.runWithCache(prompt, { names: [hook] });
  try {
    return tf.tidy(() => tf.mean(tf.norm(cache.getTensor(hook), 2, -1)).dataSync()[0] ?? Number.NaN);
  } finally {
    logits.dispose();
    cache.dispose();
  }
}

/** Generates from one prompt (repeated `samples` times, one seed) once per coefficient. */
export async function steerCharModel(
  model: HookedTransformer,
  tokenizer: Tokenizer,
): Promise<SteeringResult> {
  const { prompt: text, samples, hook, coefficients } = steeringSetup;
  const vector = steeringVector(model, tokenizer);
  const ids = tokenizer.encode(text);
  const prompt = tf.tensor2d(
    Array.from({ length: samples }, () => ids),
    undefined,
    'int32',
  );
  try {
    const runs: SteeredRun[] = [];
    for (const coefficient of coefficients) {
      let texts: string[];
      if (coefficient === 0) {
        texts = await generateTexts(model, tokenizer, prompt);
      } else {
        // The hook stays on the model while prepared: generate's every step (KV cache on) goes through it.
        using _steered = steeringVectors({
          modules: [hook],
          steer: addVector(vector, { coefficient }),
        }).prepare(model);
        texts = await generateTexts(model, tokenizer, prompt);
      }
      const characters = texts.reduce((sum, one) => sum + one.length, 0);
      const per100 = (pattern: RegExp): number =>
        (100 * texts.reduce((sum, one) => sum + (one.match(pattern)?.length ?? 0), 0)) / characters;
      runs.push({ coefficient, texts, marksPer100: per100(dialogueMarks), lettersPer100: per100(letters) });
    }
    return {
      vectorNorm: tf.tidy(() => tf.norm(vector).dataSync()[0] ?? Number.NaN),
      residualNorm: residualNorm(model, prompt),
      runs,
    };
  } finally {
    vector.dispose();
    prompt.dispose();
  }
}
