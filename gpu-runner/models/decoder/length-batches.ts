/**
 * Padded batches of sequences of similar length, within a token budget: what keeps a scoring batch or a decode
 * prefill (rows × the longest row) within the `maxTokens` its graph's buffers were sized for (`bufferLimit`).
 */

/**
 * The indices of `lengths` sorted by length (ties by index) and cut into consecutive batches of at most
 * `maxRows` rows whose rows × longest length stays within `maxTokens`; a sequence longer than `maxTokens`
 * forms a batch alone.
 */
export function lengthBatches(lengths: readonly number[], maxTokens: number, maxRows = Infinity): number[][] {
  if (!(maxTokens > 0) || !(maxRows >= 1))
    throw new RangeError(`length batches: maxTokens (${maxTokens}) and maxRows (${maxRows}) must be positive`);
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: number[][] = [];
  let start = 0;
  while (start < order.length) {
    // sorted ascending, so the last row of a batch sets its width
    let end = start + 1;
    while (end < order.length && end - start < maxRows && (end - start + 1) * lengths[order[end]] <= maxTokens) end++;
    batches.push(order.slice(start, end));
    start = end;
  }
  return batches;
}
