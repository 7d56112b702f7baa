// A deterministic little program on @llmts/tensor — embedding, matmul, RMSNorm, causal attention,
// GELU, softmax and a backward pass — used by browser.test.ts to compare a browser with Node.
import { causalAttention, matmul, Rng, randn, rmsNorm } from "@llmts/tensor";

export function tensorProgram(): number[] {
  const rng = new Rng(7);
  const x = randn([2, 5, 8], rng).requiresGrad_(); // [B, T, C]
  const w = randn([8, 24], rng).requiresGrad_(); // [C, 3C]
  const h = rmsNorm(x, null, 1e-5);
  const [q, k, v] = matmul(h, w)
    .split(8, -1)
    .map((t) => t.reshape(2, 5, 2, 4).transpose(1, 2)); // [B, H, T, D]
  const y = causalAttention(q!, k!, v!).gelu("tanh"); // [B, H, T, D]
  const loss = y.softmax().mul(y).sum();
  loss.backward();
  return [...y.contiguous().dataSync(), ...x.grad!.dataSync(), ...w.grad!.dataSync()];
}
