/** @module How a field value is written into a filled document: one plain string per value. */
import type { FieldValue } from '../core/types.js';

/** `null` renders empty: the FillResult, not the document, says why a value is missing. */
export function formatValue(value: FieldValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(', ');
  const amount = value.amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${amount} ${value.currency}`;
}
