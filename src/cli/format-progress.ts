/** @module One-line progress for stderr. */
import type { FillProgress } from '../core/fill-records.js';

export function formatProgress(p: FillProgress): string {
  const parts = [`progress: ${p.phase}`];
  if (p.batchesTotal > 0) parts.push(`batches ${p.batchesDone}/${p.batchesTotal}`);
  if (p.fieldsTotal > 0) parts.push(`fields ${p.fieldsDone}/${p.fieldsTotal}`);
  if (p.splits > 0) parts.push(`splits ${p.splits}`);
  if (p.phase === 'paused-quota' && p.resumeAt) parts.push(`daily quota exhausted; resumes at ${p.resumeAt} (or: fillflow resume ${p.fillId})`);
  if (p.provisionalFields) parts.push(`${p.provisionalFields} filled offline for now, Gemini revisits them after the reset`);
  return parts.join('  ');
}
