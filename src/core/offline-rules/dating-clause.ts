/** @module The date a document is made or takes effect: its dating clause ("This Agreement is made as of
 * March 3, 2010"), an effective-date statement or defined term, and a letter's date above its salutation. */
import { findDates } from '../parse/date.js';
import { lineAt, statementStart, type RuleContext, type RuleMatch } from './rule-match.js';

// Just before the date: "effective as of", "effective on", "with effect from", "commencing on".
const EFFECTIVE_BEFORE =
  /\b(?:effective(?:\s+for\s+all\s+purposes)?(?:\s+(?:as\s+of|as\s+from|on|from|upon|date\s+of))?|with\s+effect\s+(?:from|on|as\s+of)|commenc(?:e|es|ing)\s+(?:on|as\s+of|from)|shall\s+(?:become|be)\s+effective\s+(?:on|as\s+of))\s*(?:the\s+)?$/i;
// "is made as of", "entered into this", "dated", "executed on", "made and entered into effective as of".
// The testimonium too: "IN WITNESS WHEREOF, the parties have executed this Agreement as of the 22nd day of May 2001".
const MADE_BEFORE =
  /\b(?:made|entered(?:\s+into)?|executed|dated|signed|concluded|agreed)(?:\s*,?\s+(?:and\s+)?(?:entered\s+into|made|executed|delivered|effective))*(?:\s+(?:this|the)\s+(?:[\p{L}-]+\s+){0,4}?(?:agreement|letter|contract))?(?:\s+under\s+seal)?(?:\s+(?:as\s+of|on|at|this|effective\s+as\s+of|effective))?\s*(?:the\s+)?$/iu;
// A defined term right after the date that names the start of something: (the "Effective Date").
const EFFECTIVE_TERM = /^[\s,]*\(\s*(?:hereinafter\s+|herein\s+)?(?:referred\s+to\s+as\s+)?(?:the\s+|this\s+)?["“']\s*(?:effective|commencement|start)\s+date\s*["”']\s*\)/i;
// The document itself as the subject: "This Agreement", (this "Agreement"), "THIS LETTER AGREEMENT".
const SELF = /\b(?:this|these)\s+(?:[\p{L}-]+\s+){0,8}?(?:agreement|letter|contract|deed|undertaking|memorandum|instrument|amendment|addendum)\b|\(\s*(?:this|the)?\s*["“](?:agreement|letter|contract)["”]\s*\)/iu;
// Another agreement named before the date: "the Consulting Agreement dated", "that certain letter agreement by
// and between … dated", "Employee's Confidentiality Agreement with the Company dated".
const OTHER =
  /(?:\b(?:the|that|an?|such|said|prior|existing|attached|certain|any)|\p{L}+['’]s)\s+(?:[\p{L}-]+,?\s+){0,6}?(?:agreement|letter|contract)\b,?[^.;]{0,200}?\b(?:dated|made|entered(?:\s+into)?|executed)(?:\s+(?:as\s+of|on))?\s*(?:the\s+)?$/iu;
// A letter opens its body with a salutation or a subject line.
const SALUTATION = /^(?:dear\b|ladies\s+and\s+gentlemen|gentlemen\b|sirs\b|to\s+whom\s+it\s+may\s+concern|re\s*:|subject\s*:)/im;
/** A letter's date sits in its first lines; further down, a date alone on a line is a header or a signature's. */
const LETTER_REACH = 1_500;
/** The salutation follows the date within the address block's length. */
const SALUTATION_REACH = 600;
/** How far into a document a dating clause with no self-reference is still read as the document's own. */
const OPENING = 3_000;

/**
 * Every date in `text` that states when the document was made or takes effect, by the statement around it:
 * - `effective` (0.85): "effective as of March 3, 2010", "March 3, 2010 (the "Effective Date")";
 * - `made` (0.8): "This Agreement is made and entered into as of the 3rd day of March, 2010";
 * - `letter` (0.45): a date alone on its line at the top of a letter, with a salutation ("Dear …") below it;
 *   `letter-event` (0.2) when the letter then says it takes effect upon an event ("upon its execution").
 * A date that another agreement is "dated" is not this one's; a date alone on a line that no salutation
 * follows (a page header, a signature block) is not a letter's date. Statements that do not name this
 * document count only in its opening pages, and with less confidence.
 */
export function findDatingClauses(text: string, ctx: RuleContext): RuleMatch<string>[] {
  const found: RuleMatch<string>[] = [];
  for (const d of findDates(text, ctx.dateOrder ? { dateOrder: ctx.dateOrder } : {})) {
    const statement = text.slice(statementStart(text, d.start), d.start);
    const near = statement.slice(-300);
    const opening = ctx.documentOffset + d.start < OPENING;
    const aboutThis = SELF.test(statement);
    // "the Consulting Agreement dated …" names another document, whatever this one is called.
    if (OTHER.test(near) && !/\(\s*(?:this|the)?\s*["“](?:agreement|letter)["”]\s*\)[^()]*$/i.test(near)) continue;
    const weight = aboutThis ? 1 : opening ? 0.8 : 0;
    if (weight === 0) continue;
    if (EFFECTIVE_TERM.test(text.slice(d.end, d.end + 80))) {
      found.push({ ...d, confidence: 0.9, rule: 'effective' });
    } else if (EFFECTIVE_BEFORE.test(near)) {
      found.push({ ...d, confidence: 0.85 * weight, rule: 'effective' });
    } else if (MADE_BEFORE.test(near.slice(-120))) {
      found.push({ ...d, confidence: 0.8 * weight, rule: 'made' });
    }
  }
  found.push(...dateLines(text, ctx));
  found.push(...letterDates(text, ctx));
  return found;
}

// "Date: March 2, 2017" heading a document or under a signature, the date on the same line or the next.
const DATE_LABEL = /(?:^|\n)[ \t]*(?:date(?:d)?|date\s+signed|signed\s+on|signature\s+date)[ \t]*:?[ \t]*\n?[ \t]*$/i;

/**
 * Dates under a bare "Date:" label (0.4): the day a form-like agreement or its signature block was dated.
 * Where parties sign on different days the last signature makes the agreement, so the extractor ranks
 * later ones first.
 */
function dateLines(text: string, ctx: RuleContext): RuleMatch<string>[] {
  return findDates(text, ctx.dateOrder ? { dateOrder: ctx.dateOrder } : {})
    .filter((d) => DATE_LABEL.test(text.slice(Math.max(0, d.start - 40), d.start)))
    .map((d) => ({ ...d, confidence: 0.4, rule: 'date-line' }));
}

/**
 * Dates that fill a line of their own: a letter's date, and the running header a page repeats. A date
 * found so at two places or more is a header, not the date of a letter.
 */
export function standaloneDates(text: string, ctx: RuleContext): RuleMatch<string>[] {
  return findDates(text, ctx.dateOrder ? { dateOrder: ctx.dateOrder } : {})
    .filter((d) => {
      const line = lineAt(text, d.start);
      return `${text.slice(line.start, d.start)}${text.slice(d.end, line.end)}`.trim() === '';
    })
    .map((d) => ({ ...d, confidence: 0, rule: 'standalone' }));
}

/** A date that fills its line (bar a place: "London, 3 March 2010") near the top, followed by a salutation. */
function letterDates(text: string, ctx: RuleContext): RuleMatch<string>[] {
  if (ctx.documentOffset >= LETTER_REACH) return [];
  const out: RuleMatch<string>[] = [];
  for (const d of findDates(text.slice(0, LETTER_REACH - ctx.documentOffset), ctx.dateOrder ? { dateOrder: ctx.dateOrder } : {})) {
    const line = lineAt(text, d.start);
    const rest = `${text.slice(line.start, d.start)}${text.slice(d.end, line.end)}`.trim();
    if (rest !== '' && !/^[\p{L} .'-]{2,40},$/u.test(rest)) continue;
    const below = text.slice(d.end, d.end + SALUTATION_REACH);
    const salutation = SALUTATION.exec(below);
    if (!salutation) continue;
    // "This letter agreement shall become effective upon its execution": an event, not the letter's date.
    const opening = text.slice(d.end + salutation.index, d.end + salutation.index + 400);
    const onEvent = /\beffective\s+(?:only\s+)?(?:upon|when|on\s+the\s+date\s+(?:on\s+which|that|when))\b/i.test(opening);
    out.push({ ...d, confidence: onEvent ? 0.2 : 0.45, rule: onEvent ? 'letter-event' : 'letter' });
    break;
  }
  return out;
}
