/** @module The busiest 60-second window of a recorded run: how many requests and input tokens it held. */

export function worstWindow(calls: readonly { at: number; tokens: number }[], windowMs = 60_000): { requests: number; tokens: number } {
  const sorted = [...calls].sort((a, b) => a.at - b.at);
  let requests = 0;
  let tokens = 0;
  let lo = 0;
  let sum = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    sum += sorted[hi]!.tokens;
    while (sorted[hi]!.at - sorted[lo]!.at >= windowMs) sum -= sorted[lo++]!.tokens;
    requests = Math.max(requests, hi - lo + 1);
    tokens = Math.max(tokens, sum);
  }
  return { requests, tokens };
}
