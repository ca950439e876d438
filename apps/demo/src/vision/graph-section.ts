import {
  createImage,
  explainImages,
  imageGrid,
  imagesToTensor,
  loadModel,
  readImage,
  type Explanation,
  type GridCell,
  type RgbaImage,
  type VisionMethodName,
} from '@tdhook/adapter-cv';
import { emotionLabels, emotionModelDir, photoPaths } from '@tdhook/cv-assets';

import type { ReportSection } from '../report/report-model.js';
import { fmt, type DemoContext } from './demo-context.js';
import { overlayCell, scaledMaps, scaleNote } from './map-cells.js';
import { methodLabels, methodTitles } from './mnist-section.js';

function crop(image: RgbaImage, x: number, y: number, size: number): RgbaImage {
  const out = createImage(size, size);
  for (let row = 0; row < size; row++) {
    const from = ((y + row) * image.width + x) * 4;
    out.data.set(image.data.subarray(from, from + size * 4), row * size * 4);
  }
  return out;
}

const methods: readonly VisionMethodName[] = ['saliency', 'ig', 'smoothgrad', 'gradcam'];

/** The emotion Graph model (from @vladmandic/human) on the astronaut's face: gradients through graph nodes. */
export async function graphSection(context: DemoContext): Promise<ReportSection> {
  const loaded = await loadModel(emotionModelDir());
  const face = crop(await readImage(photoPaths.astronaut), 158, 52, 136);
  const input = imagesToTensor([face], { size: [64, 64], channels: 1, normalisation: 'symmetric' });
  const explanations: Explanation[] = [];
  try {
    for (const method of methods) {
      const { value } = await context.timed(`emotion Graph model: ${methodTitles[method]}`, () =>
        explainImages(loaded.model, input, { method, steps: 32, samples: 16 }),
      );
      explanations.push(value);
    }
    const first = explanations[0] as Explanation;
    const klass = first.target[0] ?? 0;
    const scores = Array.from(first.scores.dataSync());
    const row: GridCell[] = [
      { image: face },
      ...explanations.map((explanation) => {
        const scaled = scaledMaps(explanation, [face]);
        return overlayCell(scaled, 0, face, { legend: scaled.legend });
      }),
    ];
    const layer = explanations.find((explanation) => explanation.layer !== undefined)?.layer ?? '';
    return {
      id: 'graph',
      title: 'A Graph model: emotion from a face',
      shortTitle: 'Graph model',
      paragraphs: [
        'The emotion classifier of @vladmandic/human 3.3.6 (MIT) is a TF.js Graph model (a frozen TensorFlow graph, 205 k parameters, 64×64 grey face → 7 emotions). @tdhook/adapter-cv wraps it as a module whose op nodes are hookable by name, so the same methods run on it: Grad-CAM reads and differentiates the node ' +
          `${layer}. The face is cropped from the astronaut photo and scaled to [−1, 1] as human does.`,
      ],
      figures: [
        context.png(
          'emotion-graph.png',
          imageGrid([row], {
            cellSize: 176,
            textScale: 2,
            title: `emotion: ${emotionLabels[klass] ?? klass} ${fmt(scores[klass] ?? NaN)}`,
            columnLabels: ['face', ...explanations.map((explanation) => methodLabels[explanation.method])],
            footer: `Each map has its own scale (bar under it); ${scaleNote}.`,
          }),
          `Predicted: ${emotionLabels[klass] ?? klass} (probability ${fmt(scores[klass] ?? NaN)}); each method's attribution for that class over the face: saliency, SmoothGrad and Grad-CAM show magnitude (dark purple to yellow over the colour photo, faint where small), integrated gradients is signed (red for, blue against the class, over a light grey copy). The model sees the face as 64×64 grey pixels; the maps are resized onto the 136×136 crop.`,
        ),
      ],
      tables: [
        {
          caption: 'emotion model: class probabilities for the face',
          header: ['emotion', 'probability'],
          rows: emotionLabels.map((label, index) => [label, fmt(scores[index] ?? NaN)]),
        },
      ],
    };
  } finally {
    for (const explanation of explanations) explanation.dispose();
    input.dispose();
    loaded.dispose();
  }
}
