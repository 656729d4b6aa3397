/**
 * Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_: scales all gradients in place by
 * min(1, maxNorm / (‖g‖₂ + 1e-6)); returns the norm before clipping. The norm is accumulated in double.
 */
export function clipGradNorm(grads: Iterable<Float32Array>, maxNorm: number): number {
  const list = [...grads];
  let sq = 0;
  for (const g of list) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    const c = Math.fround(coef);
    for (const g of list) for (let i = 0; i < g.length; i++) g[i] = Math.fround(g[i] * c);
  }
  return norm;
}
