import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tdhook/backend';
import { htmlReport } from '../src/report/html-report.js';
import { DemoContext } from '../src/vision/demo-context.js';
import { interventionSection } from '../src/intervention/intervention-section.js';
const b = await initBackend(); console.log(b.backend);
const before = tf.memory().numTensors;
const t = performance.now();
const ctx = new DemoContext('/tmp/iv-out');
const s = await interventionSection(ctx);
console.log('section s', ((performance.now() - t) / 1000).toFixed(1), 'leak', tf.memory().numTensors - before);
writeFileSync('/tmp/iv-out/index.html', htmlReport('t', [], [s]));
for (const p of s.paragraphs) console.log(p);
for (const t of s.tables.slice(0, 2)) { console.log(t.header.join(' | ')); for (const r of t.rows) console.log(r.join(' | ')); }
