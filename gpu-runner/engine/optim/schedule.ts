/**
 * Linear warm-up then linear decay to zero, as transformers' get_linear_schedule_with_warmup: the rate for the
 * optimizer step that follows `step` earlier steps (so with warm-up the first step uses rate 0).
 */
export interface LinearScheduleConfig {
  readonly baseLr: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
}

export function linearScheduleLr(config: LinearScheduleConfig, step: number): number {
  const { baseLr, warmupSteps, totalSteps } = config;
  if (step < warmupSteps) return baseLr * (step / Math.max(1, warmupSteps));
  return baseLr * Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}
