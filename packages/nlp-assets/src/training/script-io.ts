// What every training script reads and writes: numbers from the environment, progress on stderr, and JSON
// files (training.json, tdhook-tokenizer.json) written as the committed ones are: 2-space indents, a final newline.
import { writeFileSync } from 'node:fs';

/** The environment variable `name` as a number, or `fallback` when it is not set. */
export function envNumber(name: string, fallback: number): number {
  return Number(process.env[name] ?? fallback);
}

/** One line of progress on stderr. */
export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Writes `value` as indented JSON with a final newline (replacing the file). */
export function writeJsonFile(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
