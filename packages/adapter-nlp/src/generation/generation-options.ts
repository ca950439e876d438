import { InvalidValueError } from '@tdhook/core';

/**
 * Pick the most likely next token (ties: the lowest id).
 *
 * @example
 * const strategy: GreedyStrategy = { kind: 'greedy' };
 */
export interface GreedyStrategy {
  readonly kind: 'greedy';
}

/**
 * Sample the next token from softmax(logits / temperature), restricted to the `topK` most likely tokens,
 * with a seeded generator: the same seed, model and prompt give the same tokens.
 *
 * @example
 * const strategy: SampledStrategy = { kind: 'sampled', seed: 7, temperature: 0.8, topK: 40 };
 */
export interface SampledStrategy {
  readonly kind: 'sampled';
  /** An integer seed of the sampler's own PRNG (never Math.random). */
  readonly seed: number;
  /** Divides the logits before the softmax; > 0, default 1. */
  readonly temperature?: number;
  /** Keep only the k most likely tokens (ties at the k-th logit are kept); default: all. */
  readonly topK?: number;
}

/**
 * How {@link generate} picks each next token.
 *
 * @example
 * const strategy: GenerationStrategy = { kind: 'sampled', seed: 1, topK: 10 };
 */
export type GenerationStrategy = GreedyStrategy | SampledStrategy;

/**
 * What {@link GenerateOptions.onToken} is told after each step.
 *
 * @example
 * const onToken = ({ step, tokens }: GenerationStep) => console.log(step, tokens);
 */
export interface GenerationStep {
  /** 0 for the first new token. */
  readonly step: number;
  /** The token chosen for each sequence at this step (for a finished sequence, its last token again). */
  readonly tokens: readonly number[];
  /** Per sequence, whether it has ended on a stop token (this step or before). */
  readonly finished: readonly boolean[];
}

/**
 * Options of {@link generate}.
 *
 * @example
 * const options: GenerateOptions = { maxNewTokens: 20, strategy: { kind: 'sampled', seed: 1, temperature: 0.7 }, stopTokens: [0] };
 */
export interface GenerateOptions {
  /** How many tokens to add at most (prompt length + maxNewTokens ≤ the model's nCtx). */
  readonly maxNewTokens: number;
  /** Default `{ kind: 'greedy' }`. */
  readonly strategy?: GenerationStrategy;
  /** Reuse the keys and values of earlier positions (each position is computed once); default true. */
  readonly useKvCache?: boolean;
  /** A sequence ends after it produces one of these ids (which is kept); default none. */
  readonly stopTokens?: readonly number[];
  /** Called after every step, e.g. for progress; an exception it throws ends generation and is rethrown. */
  readonly onToken?: (step: GenerationStep) => void;
}

/** {@link GenerateOptions} checked, with every default filled in. */
export interface CheckedGenerateOptions {
  readonly maxNewTokens: number;
  readonly strategy: { readonly kind: 'greedy' } | Required<SampledStrategy>;
  readonly useKvCache: boolean;
  readonly stopTokens: ReadonlySet<number>;
  readonly onToken: ((step: GenerationStep) => void) | undefined;
}

const where = 'generate(model, tokens, options)';

function invalid(field: string, what: string, fix: string): InvalidValueError {
  return new InvalidValueError({ what, where: `${where}: options.${field}`, fix });
}

function checkStrategy(value: unknown, dVocab: number): CheckedGenerateOptions['strategy'] {
  if (value === undefined) return { kind: 'greedy' };
  const strategy = value as Record<string, unknown> | null;
  if (strategy?.['kind'] === 'greedy') return { kind: 'greedy' };
  if (strategy?.['kind'] !== 'sampled') {
    throw invalid(
      'strategy',
      `strategy must be { kind: 'greedy' } or { kind: 'sampled', seed, temperature?, topK? }, got ${JSON.stringify(value)}`,
      "Pass e.g. { kind: 'sampled', seed: 1 }.",
    );
  }
  const { seed, temperature = 1, topK = dVocab } = strategy;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw invalid(
      'strategy.seed',
      `seed must be an integer, got ${JSON.stringify(seed)}`,
      'Pass e.g. seed: 1; the same seed gives the same tokens.',
    );
  }
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) {
    throw invalid(
      'strategy.temperature',
      `temperature must be a positive number, got ${JSON.stringify(temperature)}`,
      "Pass e.g. temperature: 0.7; for the most likely token use { kind: 'greedy' }.",
    );
  }
  if (typeof topK !== 'number' || !Number.isSafeInteger(topK) || topK < 1) {
    throw invalid(
      'strategy.topK',
      `topK must be a positive integer, got ${JSON.stringify(topK)}`,
      'Pass e.g. topK: 40, or leave it out for all tokens.',
    );
  }
  return { kind: 'sampled', seed, temperature, topK: Math.min(topK, dVocab) };
}

/** Checks the options of {@link generate} against the model's context and vocabulary, filling defaults. */
export function checkGenerateOptions(
  options: GenerateOptions,
  promptLength: number,
  config: { readonly nCtx: number; readonly dVocab: number },
): CheckedGenerateOptions {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: 'options must be an object',
      where,
      fix: 'Pass e.g. { maxNewTokens: 20 }.',
    });
  }
  const fields = options as unknown as Record<string, unknown>;
  const maxNewTokens = fields['maxNewTokens'];
  if (typeof maxNewTokens !== 'number' || !Number.isSafeInteger(maxNewTokens) || maxNewTokens < 1) {
    throw invalid(
      'maxNewTokens',
      `maxNewTokens must be a positive integer, got ${JSON.stringify(maxNewTokens)}`,
      'Pass e.g. maxNewTokens: 20.',
    );
  }
  if (promptLength + maxNewTokens > config.nCtx) {
    throw invalid(
      'maxNewTokens',
      `A prompt of ${promptLength} positions + ${maxNewTokens} new tokens exceeds the model's context of ${config.nCtx}`,
      `Ask for at most ${Math.max(0, config.nCtx - promptLength)} new tokens, or shorten the prompt.`,
    );
  }
  const useKvCache = fields['useKvCache'] ?? true;
  if (typeof useKvCache !== 'boolean') {
    throw invalid(
      'useKvCache',
      `useKvCache must be a boolean, got ${JSON.stringify(useKvCache)}`,
      'Pass true or false.',
    );
  }
  const stopTokens = fields['stopTokens'] ?? [];
  if (
    !Array.isArray(stopTokens) ||
    !stopTokens.every((id) => Number.isInteger(id) && id >= 0 && id < config.dVocab)
  ) {
    throw invalid(
      'stopTokens',
      `stopTokens must be token ids in [0, ${config.dVocab}), got ${JSON.stringify(stopTokens)}`,
      'Pass e.g. stopTokens: [eosTokenId].',
    );
  }
  const onToken = fields['onToken'];
  if (onToken !== undefined && typeof onToken !== 'function') {
    throw invalid('onToken', 'onToken must be a function', 'Pass (step) => { … } or leave it out.');
  }
  return {
    maxNewTokens,
    strategy: checkStrategy(fields['strategy'], config.dVocab),
    useKvCache,
    stopTokens: new Set(stopTokens as number[]),
    onToken: onToken as CheckedGenerateOptions['onToken'],
  };
}
