/** SGD as torch.optim.SGD: L2 weight decay added to the gradient, optional (Nesterov) momentum with dampening. */
export interface SgdConfig {
  readonly lr: number;
  readonly momentum?: number;
  readonly dampening?: number;
  readonly weightDecay?: number;
  readonly nesterov?: boolean;
}

const f = Math.fround;

export class Sgd {
  private readonly buffers = new Map<string, Float32Array>();

  constructor(readonly config: SgdConfig) {}

  step(
    params: Readonly<Record<string, Float32Array>>,
    grads: Readonly<Record<string, Float32Array>>,
    lr = this.config.lr,
  ): void {
    const { momentum = 0, dampening = 0, weightDecay = 0, nesterov = false } = this.config;
    const negLr = f(-lr);
    for (const [name, p] of Object.entries(params)) {
      const g = grads[name];
      if (g === undefined || g.length !== p.length) throw new Error(`SGD: missing or mis-sized gradient for '${name}'`);
      let buf = this.buffers.get(name);
      const fresh = buf === undefined;
      if (momentum !== 0 && buf === undefined) this.buffers.set(name, (buf = new Float32Array(p.length)));
      for (let i = 0; i < p.length; i++) {
        let d = weightDecay !== 0 ? f(g[i] + f(f(weightDecay) * p[i])) : g[i];
        if (buf) {
          buf[i] = fresh ? d : f(f(f(momentum) * buf[i]) + f(f(1 - dampening) * d));
          d = nesterov ? f(d + f(f(momentum) * buf[i])) : buf[i];
        }
        p[i] = f(p[i] + f(negLr * d));
      }
    }
  }
}
