/** @module Governing-law and forum clauses: the place whose law governs a contract, and the place of its courts. */
import { lookupPlace, placeNamePattern } from '../parse/places.js';
import { execAll } from '../parse/text-match.js';
import { statementEnd, statementStart, type RuleMatch } from './rule-match.js';

// Words that make a statement about which law applies. "Organized under the laws of Delaware" has none of
// them: it says where a party was incorporated, not which law governs.
const GOVERNS =
  /\b(?:govern(?:s|ed|ing)?|constru(?:e|ed|ing)|interpret(?:ed|ation)?|enforc(?:e|ed|eable)|applicable\s+law|choice\s+of\s+law|proper\s+law|subject\s+to\s+the\s+laws?|(?:resolved|determined|decided|settled)\s+in\s+accordance\s+with)\b/i;
// Where a place follows "laws of" in a statement about a party rather than the contract.
const INCORPORATION = /\b(?:organi[sz]ed|incorporated|existing|formed|registered|chartered|domiciled|licensed)\b[^.;]{0,40}$/i;
// A political unit written before the name: "the State of", "the Commonwealth of", "the Province of".
const UNIT = String.raw`(?:(?:state|commonwealth|province|republic|kingdom|territory|country|district|grand\s+duchy|principality)\s+of\s+)`;
// Adjectives that name a legal system ("English law", "Swiss law").
const ADJECTIVES: Readonly<Record<string, string>> = {
  english: 'England', scottish: 'Scotland', scots: 'Scotland', irish: 'Ireland', welsh: 'Wales', german: 'Germany',
  french: 'France', swiss: 'Switzerland', dutch: 'Netherlands', swedish: 'Sweden', italian: 'Italy', spanish: 'Spain',
  japanese: 'Japan', chinese: 'China', canadian: 'Canada', australian: 'Australia', singaporean: 'Singapore',
  belgian: 'Belgium', austrian: 'Austria', danish: 'Denmark', norwegian: 'Norway', finnish: 'Finland', israeli: 'Israel',
  indian: 'India', luxembourg: 'Luxembourg',
};

let patterns: { lawsOf: RegExp; within: RegExp; placeLaw: RegExp; courts: RegExp } | undefined;

function build() {
  const place = `(${placeNamePattern()})`;
  return {
    // "the laws of the State of New York", "the internal laws of Delaware", "the laws of the New York State"
    // An aside may stand between "laws" and "of": "the laws (other than the conflict of laws rules) of".
    lawsOf: new RegExp(String.raw`\blaws?\s*(?:\([^()]{0,80}\)\s*)?(?:in\s+force\s+in\s+|of\s+)(?:the\s+)?${UNIT}?${place}(?![\p{L}])(?:\s+state\b)?`, 'giud'),
    // After a country, the state within it: "the United States of America, State of California".
    within: new RegExp(String.raw`^\s*(?:,|and|,\s*and)\s+(?:the\s+)?${UNIT}?${place}(?![\p{L}])`, 'iu'),
    // "New York law", "English law", "the law of England"
    placeLaw: new RegExp(String.raw`(?<![\p{L}])(${placeNamePattern()}|${Object.keys(ADJECTIVES).join('|')})\s+(?:substantive\s+|internal\s+)?laws?\b`, 'giud'),
    // "the courts of the State of New York", "courts located in Delaware", "courts sitting in London, England"
    courts: new RegExp(
      String.raw`\bcourts?\b[^.;]{0,80}?\b(?:of|in|for)\s+(?:the\s+)?(?:[\p{Lu}][\p{L}]+\s+county,\s+)?${UNIT}?${place}(?![\p{L}])`,
      'giud',
    ),
  };
}

/** The place a name as written stands for, or null ("physics" is none). */
function placeOf(written: string): string | null {
  const adjective = ADJECTIVES[written.toLowerCase()];
  return adjective ?? lookupPlace(written.replace(/\s+/g, ' '))?.name ?? null;
}

/**
 * Every place a governing-law or forum clause in `text` names, with the span of the name:
 * - `laws-of` (0.85): "governed by … the laws of the State of X" in a statement about which law applies;
 * - `place-law` (0.8): "governed by X law";
 * - `courts` (0.5): "the courts of X", which usually, not always, sit where the governing law is.
 * A place after "organized under the laws of" describes a party, and "the laws of physics" names no place.
 */
export function findGoverningLaw(text: string): RuleMatch<string>[] {
  patterns ??= build();
  const found: RuleMatch<string>[] = [];
  const inStatement = (at: number) => text.slice(statementStart(text, at), statementEnd(text, at));
  for (const m of execAll(patterns.lawsOf, text)) {
    const statement = inStatement(m.index);
    if (!GOVERNS.test(statement) || INCORPORATION.test(text.slice(Math.max(0, m.index - 60), m.index))) continue;
    let span = m.indices![1]!;
    let value = placeOf(m[1]!);
    if (value && lookupPlace(m[1]!.replace(/\s+/g, ' '))?.kind === 'country') {
      // A federal country's law and one of its states' together: the state is the narrower answer.
      const inner = patterns.within.exec(text.slice(m.index + m[0].length));
      const region = inner ? lookupPlace(inner[1]!.replace(/\s+/g, ' ')) : null;
      if (inner && region?.kind === 'region') {
        const at = m.index + m[0].length + inner.index + inner[0].length - inner[1]!.length;
        span = [at, at + inner[1]!.length];
        value = region.name;
      }
    }
    if (value) found.push({ start: span[0], end: span[1], value, confidence: 0.85, rule: 'laws-of' });
  }
  for (const m of execAll(patterns.placeLaw, text)) {
    if (!GOVERNS.test(inStatement(m.index))) continue;
    const value = placeOf(m[1]!);
    if (value) found.push({ start: m.indices![1]![0], end: m.indices![1]![1], value, confidence: 0.8, rule: 'place-law' });
  }
  for (const m of execAll(patterns.courts, text)) {
    const value = placeOf(m[1]!);
    if (value) found.push({ start: m.indices![1]![0], end: m.indices![1]![1], value, confidence: 0.5, rule: 'courts' });
  }
  // One name read by two patterns is one finding; the stronger reading keeps it.
  return found
    .sort((a, b) => a.start - b.start || b.confidence - a.confidence)
    .filter((m, i, all) => i === 0 || all[i - 1]!.start !== m.start);
}
