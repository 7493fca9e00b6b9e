/** @module What an offline rule returns, and the text helpers the rules share. */
import type { TextMatch } from '../parse/text-match.js';
import type { DateOrder } from '../parse/date.js';

/**
 * A value a rule read from a passage: `text.slice(start, end)` is the quote, `confidence` (0..1) how
 * strongly the convention that found it says it is the field's value, and `rule` names the convention.
 */
export interface RuleMatch<T> extends TextMatch<T> {
  confidence: number;
  rule: string;
}

/** What a rule may know about the passage besides its text. */
export interface RuleContext {
  /** Where the passage starts in its document's text: 0 for the document's opening. */
  documentOffset: number;
  /** How numeric dates are read (the template's or fill's locale). */
  dateOrder?: DateOrder;
}

/**
 * The statement holding `at`, as the index it starts at: after the last sentence end (". " before a capital
 * or a line break), semicolon or blank line before `at`, at most `reach` characters back. Abbreviations
 * ("Inc.", "U.S.", "No.") do not end a statement: a sentence end is a full stop after a lower-case word of
 * three letters or more, or before a new line that starts with a capital.
 */
export function statementStart(text: string, at: number, reach = 400): number {
  const from = Math.max(0, at - reach);
  const window = text.slice(from, at);
  let start = from;
  for (const m of window.matchAll(/(?<=\p{Ll}{3}|\))[.!?]["”’)]?\s+(?=["“(]?\p{Lu})|;\s|\n\s*\n|\f/gu)) start = from + m.index + m[0].length;
  return start;
}

/** The end of the statement holding `at` (exclusive), at most `reach` characters on. */
export function statementEnd(text: string, at: number, reach = 400): number {
  const window = text.slice(at, at + reach);
  const m = /(?<=\p{Ll}{3}|\))[.!?](?=["”’)]?\s+["“(]?\p{Lu}|\s*$)|;\s|\n\s*\n|\f/u.exec(window);
  return m ? at + m.index : Math.min(text.length, at + reach);
}

/** The line holding `at`, as a span of `text` (without its line break). */
export function lineAt(text: string, at: number): { start: number; end: number } {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  const nl = text.indexOf('\n', at);
  return { start, end: nl === -1 ? text.length : nl };
}
