/** @module Runs the document-convention rules a field's intents call for over its passages, and holds values
 * found by labels to the shape an intent needs (a place, an identifier of the right length). */
import { lookupPlace } from '../parse/places.js';
import type { DateOrder } from '../parse/date.js';
import type { FieldValue } from '../types.js';
import { findAddressPostcodes } from './address-postcode.js';
import { findDatingClauses, standaloneDates } from './dating-clause.js';
import type { FieldIntent } from './field-intent.js';
import { findGoverningLaw } from './governing-law.js';
import { findPeriodEnds } from './period-end.js';
import { findRegistrationNumbers, identifierValue } from './registration-number.js';
import type { RuleContext, RuleMatch } from './rule-match.js';

/** A passage as the rules see it: its text and where it starts in its document. */
export interface RulePassage {
  documentId: string;
  text: string;
  start: number;
}

/** A rule's finding in one passage of the list. */
export interface RuleFinding {
  passage: number;
  match: RuleMatch<FieldValue>;
}

/** The same value found again elsewhere in the documents adds this much confidence, up to {@link MAX_REPEAT_BONUS}. */
const REPEAT_BONUS = 0.03;
const MAX_REPEAT_BONUS = 0.09;

function run(intent: FieldIntent, text: string, ctx: RuleContext): RuleMatch<FieldValue>[] {
  switch (intent.kind) {
    case 'governing-law':
      return findGoverningLaw(text);
    case 'agreement-date':
      return findDatingClauses(text, ctx).flatMap((m) => {
        // Which statement answers first depends on the field: a field about effect prefers "effective as
        // of"; one about signing prefers "made as of". A letter that takes effect upon an event still
        // dates when it was made, never when it took effect.
        if (intent.prefer === 'effective') {
          if (m.rule === 'letter-event') return [];
          return [m.rule === 'made' ? { ...m, confidence: m.confidence * 0.95 } : m];
        }
        if (m.rule === 'letter-event') return [{ ...m, confidence: 0.45 }];
        return [m.rule === 'effective' ? { ...m, confidence: m.confidence * 0.95 } : m];
      });
    case 'period-end':
      return findPeriodEnds(text, ctx);
    case 'registration-number':
      return findRegistrationNumbers(text, intent);
    case 'address-postcode':
      return findAddressPostcodes(text, ctx);
  }
}

/**
 * Every finding of the intents' rules in `passages`, each occurrence once (overlapping passages repeat
 * text), with a small bonus for a value the documents state more than once: a report names its own year
 * end on most pages, a contract its governing law in one clause and again in its forum clause.
 */
export function applyRules(intents: readonly FieldIntent[], passages: readonly RulePassage[], dateOrder?: DateOrder): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const seen = new Set<string>();
  for (const intent of intents) {
    passages.forEach((p, i) => {
      for (const match of run(intent, p.text, { documentOffset: p.start, ...(dateOrder ? { dateOrder } : {}) })) {
        const where = `${p.documentId}\u0000${p.start + match.start}\u0000${p.start + match.end}`;
        if (seen.has(where)) continue;
        seen.add(where);
        findings.push({ passage: i, match });
      }
    });
  }
  dropRunningHeaders(findings, passages, dateOrder);
  rankSignatureDates(findings);
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(JSON.stringify(f.match.value), (counts.get(JSON.stringify(f.match.value)) ?? 0) + 1);
  return findings.map((f) => {
    const repeats = (counts.get(JSON.stringify(f.match.value)) ?? 1) - 1;
    const confidence = Math.min(0.95, f.match.confidence + Math.min(MAX_REPEAT_BONUS, REPEAT_BONUS * repeats));
    return { passage: f.passage, match: { ...f.match, confidence } };
  });
}

/** A letter's date that the documents also print alone on other lines is a running page header: dropped. */
function dropRunningHeaders(findings: RuleFinding[], passages: readonly RulePassage[], dateOrder?: DateOrder): void {
  const letters = findings.filter((f) => f.match.rule === 'letter' || f.match.rule === 'letter-event');
  if (letters.length === 0) return;
  const places = new Map<string, Set<string>>();
  for (const p of passages) {
    for (const d of standaloneDates(p.text, { documentOffset: p.start, ...(dateOrder ? { dateOrder } : {}) })) {
      const at = places.get(d.value) ?? new Set<string>();
      at.add(`${p.documentId}\u0000${p.start + d.start}`);
      places.set(d.value, at);
    }
  }
  for (const f of letters) {
    if ((places.get(String(f.match.value))?.size ?? 0) >= 2) findings.splice(findings.indexOf(f), 1);
  }
}

/** Later "Date:" lines rank a little higher: an agreement signed on two days binds from the second. */
function rankSignatureDates(findings: RuleFinding[]): void {
  const dated = findings.filter((f) => f.match.rule === 'date-line');
  const order = [...new Set(dated.map((f) => String(f.match.value)))].sort();
  for (const f of dated) f.match = { ...f.match, confidence: f.match.confidence + 0.005 * order.indexOf(String(f.match.value)) };
}

/**
 * A value read from a label line, held to what the intents need: for governing law a place ("State of
 * New York" gives "New York"; a clause after a "Governing law:" heading gives the place it names), for a
 * registration number an identifier of the field's length. Null drops the value; intents that constrain
 * nothing pass it through.
 */
export function constrainValue(intents: readonly FieldIntent[], raw: unknown): unknown {
  let value = raw;
  for (const intent of intents) {
    if (value === null) return null;
    if (intent.kind === 'governing-law' && typeof value === 'string') {
      const written = value.trim().replace(/[.;,]+$/, '').replace(/^(?:the\s+)?(?:state|commonwealth|province)\s+of\s+/i, '');
      value = lookupPlace(written)?.name ?? findGoverningLaw(value).sort((a, b) => b.confidence - a.confidence)[0]?.value ?? null;
    } else if (intent.kind === 'registration-number' && (typeof value === 'string' || typeof value === 'number')) {
      value = identifierValue(String(value), intent.digits);
    }
  }
  return value;
}
