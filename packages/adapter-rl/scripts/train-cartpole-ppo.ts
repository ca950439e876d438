import { initBackend } from '@tdhook/backend';
import { ActorCritic, CartPole, evaluatePolicy, trainPpo } from '../src/index.js';

const seed = Number(process.env.SEED ?? 1);
const hidden = (process.env.HIDDEN ?? '32,32').split(',').map(Number);
const report = await initBackend({
  backend: (process.env.TDHOOK_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm',
});
console.error(`backend ${report.backend}`);
const policy = new ActorCritic({ observationSize: 4, actions: 2, hidden, seed });
const makeEnv = (): CartPole => new CartPole();
const result = trainPpo({
  makeEnv,
  policy,
  seed,
  updates: Number(process.env.UPDATES ?? 40),
  envs: Number(process.env.ENVS ?? 8),
  steps: Number(process.env.STEPS ?? 512),
  epochs: Number(process.env.EPOCHS ?? 10),
  learningRate: Number(process.env.LR ?? 1e-3),
  onProgress: (p) => {
    const evaluation =
      p.update % 5 === 0 ? evaluatePolicy(makeEnv, policy, { seed: 10_000 }).meanReturn : NaN;
    console.error(
      `${p.update} steps ${p.envSteps} ep ${p.episodes} ret ${p.meanReturn.toFixed(1)} eval ${evaluation.toFixed(1)} pl ${p.policyLoss.toFixed(3)} vl ${p.valueLoss.toFixed(2)} ent ${p.entropy.toFixed(3)} kl ${p.approxKl.toFixed(4)} cf ${p.clipFraction.toFixed(3)} ${p.seconds.toFixed(1)}s`,
    );
  },
});
console.error(`done ${result.updates} updates in ${result.seconds.toFixed(1)} s`);
console.error(`eval seed 0: ${evaluatePolicy(makeEnv, policy, { seed: 0 }).meanReturn}`);
