// The steering part of the section: the generations without and with the vector side by side, and the share
// of dialogue marks per coefficient.
import type { Figure, Table } from '../report/report-model.js';
import { fmt } from '../vision/demo-context.js';
import { steeringSetup, type SteeringResult } from './char-steering.js';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The first samples of one run, each after its prompt in grey. */
function column(label: string, texts: readonly string[]): string {
  const samples = texts
    .slice(0, 2)
    .map(
      (text) =>
        `<pre style="white-space:pre-wrap;margin:0 0 0.5rem;font-size:0.85rem"><span style="color:#888">${escapeHtml(steeringSetup.prompt)}</span>${escapeHtml(text)}</pre>`,
    )
    .join('');
  return `<div><p style="margin:0.3rem 0;font-weight:600">${escapeHtml(label)}</p>${samples}</div>`;
}

/** Without and with the vector (coefficient `steeringSetup.shown`), two samples each, side by side. */
export function steeringFigure(steering: SteeringResult): Figure {
  const unsteered = steering.runs[0];
  const shown = steering.runs.find((run) => run.coefficient === steeringSetup.shown);
  return {
    kind: 'html',
    html: `<div style="display:grid;grid-template-columns:1fr 1fr;gap:1.2rem">${column(
      'without steering',
      unsteered?.texts ?? [],
    )}${column(`with the vector × ${String(steeringSetup.shown)}`, shown?.texts ?? [])}</div>`,
    caption: `The character model continues “${steeringSetup.prompt.trim()}” (grey) by ${String(steeringSetup.newTokens)} characters, sampled at temperature ${String(steeringSetup.temperature)} with seed ${String(steeringSetup.seed)}: the first two of ${String(steeringSetup.samples)} samples, the same seed with and without the activation-addition vector.`,
  };
}

/** Dialogue marks per 100 generated characters, per coefficient. */
export function steeringTable(steering: SteeringResult): Table {
  return {
    caption: `Activation addition on the character model, per coefficient of the vector (norm ${fmt(steering.vectorNorm)}; the residual stream at ${steeringSetup.hook} has a mean norm of ${fmt(steering.residualNorm)} on the prompt): dialogue marks (“ ” ‘ ’ ! ?) and letters per 100 generated characters over ${String(steeringSetup.samples)} samples of ${String(steeringSetup.newTokens)} characters (fewer letters: the model stops writing words)`,
    header: [
      'coefficient',
      'dialogue marks per 100 characters',
      'letters per 100 characters',
      'added norm / residual norm',
    ],
    rows: steering.runs.map((run) => [
      String(run.coefficient),
      run.marksPer100.toFixed(1),
      run.lettersPer100.toFixed(1),
      fmt((run.coefficient * steering.vectorNorm) / steering.residualNorm),
    ]),
  };
}
