// Indirect-object identification (Wang et al. 2022), word level: "When Mary and John went to the store, John
// gave a drink to" → "Mary". Two names appear in the first clause, one of them again as the subject; the answer
// is the other one (the indirect object).
import { wordPattern } from '@tdhook/adapter-nlp';

import { createRandom, pick, randomInt } from '../random.js';
import { ioiNames, isHeldOutPair } from './first-names.js';

/**
 * The templates: `{A}` and `{B}` are the two names of the first clause, `{S}` the subject (a repeat of one of
 * them). Each prompt ends just before the answer.
 *
 * @example
 * import { ioiTemplates } from '@tdhook/nlp-assets';
 * ioiTemplates[0]; // 'When {A} and {B} went to the store, {S} gave a drink to'
 */
export const ioiTemplates: readonly string[] = [
  'When {A} and {B} went to the store, {S} gave a drink to',
  'When {A} and {B} went to the park, {S} gave a ball to',
  'After {A} and {B} went to the restaurant, {S} gave a ring to',
  'Then, {A} and {B} had a long argument. Afterwards {S} said to',
  'While {A} and {B} were working at the school, {S} gave a book to',
  'Friends {A} and {B} found a bone at the garden. {S} gave it to',
];

/**
 * Which of the first clause's names is repeated as the subject: `ABB` — the indirect object comes first
 * ("Mary and John …, John gave … to" → Mary); `BAB` — the subject comes first ("John and Mary …, John gave …
 * to" → Mary). Training on both means position alone cannot give the answer.
 *
 * @example
 * const order: IoiOrder = 'BAB';
 */
export type IoiOrder = 'ABB' | 'BAB';

/**
 * One IOI prompt.
 *
 * @example
 * const prompt: IoiPrompt = generateIoiPrompts({ seed: 1, count: 1 })[0]!;
 * prompt.text; // 'When Mary and John went to the store, John gave a drink to'
 */
export interface IoiPrompt {
  /** The prompt, without the answer. */
  readonly text: string;
  /** The prompt split into word-level tokens, as the IOI model's WordTokenizer splits it. */
  readonly words: readonly string[];
  /** The indirect object: the name that comes next. */
  readonly answer: string;
  /** The subject: the repeated name, the wrong answer. */
  readonly subject: string;
  readonly order: IoiOrder;
  /** Index into {@link ioiTemplates}. */
  readonly template: number;
}

/**
 * Options of {@link generateIoiPrompts}.
 *
 * @example
 * const options: IoiOptions = { seed: 1, count: 64, split: 'held-out', template: 0 };
 */
export interface IoiOptions {
  /** The seed: the same options give the same prompts. */
  readonly seed: number;
  readonly count: number;
  /** Which name pairs to use: `train` (default) or `held-out` ({@link isHeldOutPair}). */
  readonly split?: 'train' | 'held-out';
  /** Only this template (an index into {@link ioiTemplates}); default: a random template per prompt. */
  readonly template?: number;
  /** Only this order; default: `ABB` or `BAB` with equal probability per prompt. */
  readonly order?: IoiOrder;
}

/** Word-level tokens, split exactly as @tdhook/adapter-nlp's WordTokenizer splits text. */
function splitWords(text: string): string[] {
  return text.match(wordPattern) ?? [];
}

/**
 * Seeded IOI prompts: two different names forming a pair of the split, a template, and an order (`ABB` or
 * `BAB`, equally often), drawn uniformly. All prompts of one template have the same number of tokens.
 *
 * @throws RangeError for a count that is not a non-negative integer or a template index out of range.
 * @example
 * import { generateIoiPrompts } from '@tdhook/nlp-assets';
 * const [prompt] = generateIoiPrompts({ seed: 1, count: 1, template: 0 });
 * // prompt.text: 'When Kara and Ivor went to the store, Ivor gave a drink to', prompt.answer: 'Kara'
 */
export function generateIoiPrompts(options: IoiOptions): IoiPrompt[] {
  const { seed, count, split = 'train', template, order: fixedOrder } = options;
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`generateIoiPrompts: count must be a non-negative integer, got ${count}.`);
  }
  if (
    template !== undefined &&
    !(Number.isInteger(template) && template >= 0 && template < ioiTemplates.length)
  ) {
    throw new RangeError(
      `generateIoiPrompts: template must be an index into ioiTemplates (0–${ioiTemplates.length - 1}), got ${template}.`,
    );
  }
  const heldOut = split === 'held-out';
  const random = createRandom(seed);
  const prompts: IoiPrompt[] = [];
  for (let i = 0; i < count; i++) {
    const index = template ?? randomInt(random, ioiTemplates.length);
    let answer = pick(random, ioiNames);
    let subject = pick(random, ioiNames);
    while (subject === answer || isHeldOutPair(answer, subject) !== heldOut) {
      answer = pick(random, ioiNames);
      subject = pick(random, ioiNames);
    }
    const order: IoiOrder = fixedOrder ?? (random() < 0.5 ? 'ABB' : 'BAB');
    const [a, b] = order === 'ABB' ? [answer, subject] : [subject, answer];
    const text = (ioiTemplates[index] as string).replace('{A}', a).replace('{B}', b).replace('{S}', subject);
    prompts.push({ text, words: splitWords(text), answer, subject, order, template: index });
  }
  return prompts;
}

/**
 * Every word-level token the IOI task uses: the template words and punctuation (sorted), then the names in
 * {@link ioiNames} order. The IOI model's vocabulary is this list.
 *
 * @example
 * import { ioiVocabulary } from '@tdhook/nlp-assets';
 * ioiVocabulary().includes('store'); // true
 */
export function ioiVocabulary(): string[] {
  const words = new Set<string>();
  for (const template of ioiTemplates) {
    for (const word of splitWords(template.replace(/\{[ABS]\}/g, ' '))) words.add(word);
  }
  return [...[...words].sort(), ...ioiNames];
}
