import { initBackend } from '@tdhook/backend';
import * as tf from '@tensorflow/tfjs-core';
const probing = await import('@tdhook/probing');
const { geometryData } = await import('/work/wt-bench/packages/bench/dist/suite.js').then(() => ({ geometryData: null })).catch(() => ({}));
await initBackend({});
const [n, d] = process.argv.slice(2).map(Number);
const tidy = tf.tidy(() => {
  const latent = tf.randomNormal([n, 10], 0, 1, 'float32', 11);
  const mixing = tf.randomNormal([10, d], 0, 1 / Math.sqrt(10), 'float32', 12);
  const noise = tf.randomNormal([n, d], 0, 0.01, 'float32', 13);
  const a = tf.add(tf.matMul(latent, mixing), noise);
  const rotation = tf.randomNormal([d, d], 0, 1 / Math.sqrt(d), 'float32', 14);
  return { a, b: tf.tanh(tf.matMul(a, rotation)) };
});
for (const [name, f] of [['twonn', () => probing.twoNn(tidy.a).dimension], ['cka', () => probing.cka(tidy.a, tidy.b)], ['ii', () => { const r = probing.informationImbalance(tidy.a, tidy.b); return [r.aToB, r.bToA]; }]]) {
  const t = performance.now(); const r = [f()].flat(); const v = r.map((x) => x.dataSync()[0]); console.log(n, d, name, ((performance.now() - t) / 1000).toFixed(3), v); tf.dispose(r);
}
