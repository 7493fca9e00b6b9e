/** @module What Gemini calls cost: a dated price table per model (US dollars per million tokens, paid tier,
 * text), the discount each route takes, and the cost of a count of tokens. The table is configuration: the
 * config file's `bulk.prices` overrides or adds models and changes the date; prices change, so the forecast
 * prints the date it priced with. */
import type { BulkRoute } from './bulk-records.js';

export interface ModelPrice {
  /** USD per million prompt tokens. */
  input: number;
  /** USD per million output tokens (thinking tokens included). */
  output: number;
  /** Where the figure comes from, when it is not Google's own price list. */
  note?: string;
}

export interface PriceTable {
  /** The day the prices were read (YYYY-MM-DD). */
  asOf: string;
  currency: 'USD';
  models: Record<string, ModelPrice>;
  /** The share of the standard price each route pays. */
  routeShare: Record<Exclude<BulkRoute, 'auto'>, number>;
}

/**
 * Google's list prices for prompts up to 200,000 tokens, as read on the date given. Flex and Batch Mode are
 * billed at half the standard price. Check https://ai.google.dev/gemini-api/docs/pricing before relying on them.
 */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  asOf: '2026-11-01',
  currency: 'USD',
  models: {
    'gemini-2.5-flash': { input: 0.3, output: 2.5 },
    'gemini-2.5-flash-lite': { input: 0.1, output: 0.4 },
    'gemini-2.5-pro': { input: 1.25, output: 10 },
    'gemini-3-flash-preview': { input: 0.5, output: 3 },
    'gemini-3-pro-preview': { input: 2, output: 12 },
    'gemini-3.5-flash': { input: 0.5, output: 3, note: 'assumed equal to gemini-3-flash-preview; set bulk.prices to the current figure' },
    'gemini-embedding-001': { input: 0.15, output: 0 },
  },
  routeShare: { standard: 1, flex: 0.5, batch: 0.5 },
};

/** The table with the configuration's overrides applied (models added or replaced, the date and shares changed). */
export function priceTable(overrides?: Partial<PriceTable>): PriceTable {
  if (!overrides) return DEFAULT_PRICE_TABLE;
  return {
    asOf: overrides.asOf ?? DEFAULT_PRICE_TABLE.asOf,
    currency: 'USD',
    models: { ...DEFAULT_PRICE_TABLE.models, ...overrides.models },
    routeShare: { ...DEFAULT_PRICE_TABLE.routeShare, ...overrides.routeShare },
  };
}

/** A model's price: exact name, else without a `models/` prefix or a `-latest`/dated suffix. */
export function modelPrice(table: PriceTable, model: string): ModelPrice | undefined {
  const name = model.replace(/^models\//, '');
  return table.models[name] ?? table.models[name.replace(/-(latest|\d{3}|\d{2}-\d{4})$/, '')];
}

/**
 * What `promptTokens` and `outputTokens` cost on `route`, in USD, rounded to a millionth of a dollar; undefined
 * when the table has no price for the model.
 */
export function costOf(table: PriceTable, model: string, route: Exclude<BulkRoute, 'auto'>, tokens: { promptTokens: number; outputTokens: number }): number | undefined {
  const price = modelPrice(table, model);
  if (!price) return undefined;
  const usd = ((tokens.promptTokens * price.input + tokens.outputTokens * price.output) / 1_000_000) * table.routeShare[route];
  return Math.round(usd * 1_000_000) / 1_000_000;
}
