// A two-layer MLP trained with @llmts/tensor on a toy problem: classify 2-D points by whether
// they lie inside the circle of radius 1 (a boundary no linear model can draw).
//   x [N, 2] -> linear(2, 16) -> tanh -> linear(16, 2) -> logits [N, 2] -> cross-entropy
// Plain gradient descent: p ← p − lr · p.grad, written into the parameters with copy_ under noGrad
// (the update itself must not become part of a graph).
// Run: npx tsx packages/tensor/examples/mlp.ts

import { crossEntropy, intTensor, noGrad, Rng, randn, type Tensor, tensor, zeros } from "../src/index.ts";

const rng = new Rng(0);
const N = 256;

// The data set: points uniform in [-2, 2]², label 1 inside the unit circle.
const points = new Float32Array(N * 2);
const labels = new Int32Array(N);
for (let i = 0; i < N; i++) {
  const px = 4 * rng.nextFloat() - 2;
  const py = 4 * rng.nextFloat() - 2;
  points[2 * i] = px;
  points[2 * i + 1] = py;
  labels[i] = px * px + py * py < 1 ? 1 : 0;
}
const x = tensor(points, [N, 2]); // [N, 2]
const y = intTensor(labels); // [N]

// Parameters, initialised N(0, 1/fan_in).
const w1 = randn([2, 16], rng, 1 / Math.sqrt(2)).requiresGrad_();
const b1 = zeros([16]).requiresGrad_();
const w2 = randn([16, 2], rng, 1 / 4).requiresGrad_();
const b2 = zeros([2]).requiresGrad_();
const params = [w1, b1, w2, b2];

function forward(input: Tensor): Tensor {
  const h = input.matmul(w1).add(b1).tanh(); // [N, 16]
  return h.matmul(w2).add(b2); // [N, 2]
}

const lr = 0.5;
for (let step = 0; step <= 500; step++) {
  const loss = crossEntropy(forward(x), y);
  for (const p of params) p.zeroGrad();
  loss.backward();
  noGrad(() => {
    for (const p of params) p.copy_(p.sub(p.grad!.mul(lr)));
  });
  if (step % 100 === 0) console.log(`step ${step}: loss ${loss.item().toFixed(4)}`);
}

// Accuracy on the training points, without recording a graph.
const logits = noGrad(() => forward(x)).dataSync(); // [N, 2]
let correct = 0;
for (let i = 0; i < N; i++) if ((logits[2 * i + 1]! > logits[2 * i]! ? 1 : 0) === labels[i]) correct++;
console.log(`accuracy: ${correct}/${N}`);
