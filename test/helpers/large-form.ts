/** @module A large form and its documents, generated: a site register of N fields (every type the template
 * format has) over four short documents, with the gold table the emulator's oracle answers from. The same
 * seed-free generator serves the 200-field integration test and `npm run bench`, so both fill the same form. */
import type { GoldTable } from '../../src/emulator/index.js';
import type { FieldSpec, TemplateSpec } from '../../src/core/types.js';

export interface LargeForm {
  template: TemplateSpec;
  /** File name and text of each document (four of them). */
  documents: { name: string; text: string }[];
  /** The answer to every field, with a quote that is a verbatim span of one document. */
  gold: GoldTable;
}

const SITES = [
  'Ashford', 'Bristol', 'Carlisle', 'Derby', 'Exeter', 'Falkirk', 'Gloucester', 'Harlow', 'Ipswich', 'Kendal',
  'Leeds', 'Margate', 'Norwich', 'Oldham', 'Preston', 'Reading', 'Salford', 'Telford', 'Uxbridge', 'Wigan',
  'York', 'Bangor', 'Crewe', 'Dover', 'Ely', 'Frome', 'Goole', 'Hexham', 'Ilkley', 'Jarrow',
];
const FIRST = ['Amira', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hugo', 'Isla', 'Jonah', 'Kemi', 'Liam', 'Maya', 'Noor', 'Owen'];
const LAST = ['Achebe', 'Brennan', 'Castillo', 'Dunmore', 'Eriksen', 'Fairbairn', 'Gallo', 'Hartley', 'Ibsen', 'Jovanovic', 'Kowalski', 'Lindqvist'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const SERVICES = ['cross-docking', 'pallet storage', 'chilled storage', 'returns handling', 'kitting', 'customs clearance', 'bonded storage', 'order picking'];
const STATUSES = ['Operational', 'Under refurbishment', 'Closed for winter'];
const DOCS = ['site-register.md', 'operations-letter.txt', 'facilities-schedule.txt', 'finance-summary.txt'];

/** One attribute of a site: the field it makes and the sentence in a document that states its value. */
interface Attribute {
  suffix: string;
  field: (site: string) => Omit<FieldSpec, 'key'>;
  /** Document index, value (as the gold table holds it) and the sentence that states it (the quote). */
  fact: (site: string, i: number) => { doc: number; value: unknown; sentence: string };
  /** What the document goes on to say about it, which states no value: prose around the facts. */
  aside: string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

const ATTRIBUTES: Attribute[] = [
  {
    suffix: 'manager',
    aside: 'who reports to the regional operations director',
    field: (s) => ({ label: `${s} site manager`, type: 'string' }),
    fact: (s, i) => {
      const name = `${pick(FIRST, i * 7 + 3)} ${pick(LAST, i * 5 + 1)}`;
      return { doc: 0, value: name, sentence: `The ${s} site is managed by ${name}` };
    },
  },
  {
    suffix: 'opened',
    aside: 'after a refit of a former grocery depot',
    field: (s) => ({ label: `${s} site opening date`, type: 'date' }),
    fact: (s, i) => {
      const y = 1998 + (i % 25);
      const m = (i * 5) % 12;
      const d = 1 + ((i * 11) % 28);
      return { doc: 0, value: `${y}-${pad(m + 1, 2)}-${pad(d, 2)}`, sentence: `The ${s} site first opened on ${d} ${MONTHS[m]} ${y}` };
    },
  },
  {
    suffix: 'staff',
    aside: 'not counting the seasonal agency workers hired each winter',
    field: (s) => ({ label: `Staff employed at ${s}`, type: 'integer' }),
    fact: (s, i) => {
      const n = 12 + ((i * 37) % 480);
      return { doc: 1, value: n, sentence: `Our ${s} team numbers ${n} permanent staff` };
    },
  },
  {
    suffix: 'budget',
    aside: 'excluding capital projects, which the board approves separately',
    field: (s) => ({ label: `${s} annual operating budget`, type: 'money' }),
    fact: (s, i) => {
      const amount = 150_000 + ((i * 7919) % 900) * 1_000;
      return { doc: 3, value: { amount, currency: 'GBP' }, sentence: `The annual operating budget for ${s} is £${amount.toLocaleString('en-GB')}` };
    },
  },
  {
    suffix: 'email',
    aside: 'and is answered within one working day',
    field: (s) => ({ label: `${s} site email`, type: 'email' }),
    fact: (s) => {
      const email = `${s.toLowerCase()}.site@northwind-logistics.example`;
      return { doc: 1, value: email, sentence: `Correspondence for ${s} goes to ${email}` };
    },
  },
  {
    suffix: 'phone',
    aside: 'during staffed hours; other calls divert to the control room',
    field: (s) => ({ label: `${s} site phone`, type: 'phone' }),
    fact: (s, i) => {
      const phone = `+44 20 7946 ${pad((i * 97) % 1000, 3)}${i % 10}`;
      return { doc: 1, value: phone, sentence: `The ${s} switchboard answers on ${phone}` };
    },
  },
  {
    suffix: 'url',
    aside: 'with directions for hauliers and the booking rules',
    field: (s) => ({ label: `${s} site web page`, type: 'url' }),
    fact: (s) => {
      const url = `https://www.northwind-logistics.example/sites/${s.toLowerCase()}`;
      return { doc: 0, value: url, sentence: `Details of ${s} are published at ${url}` };
    },
  },
  {
    suffix: 'status',
    aside: 'at the latest quarterly inspection of the estate',
    field: (s) => ({ label: `${s} site status`, type: 'enum', options: [...STATUSES] }),
    fact: (s, i) => {
      const status = pick(STATUSES, i * 2 + 1);
      return { doc: 2, value: status, sentence: `Status of ${s}: ${status.toLowerCase()}` };
    },
  },
  {
    suffix: 'hazardous',
    aside: 'as confirmed by the last compliance review',
    field: (s) => ({ label: `${s} holds a hazardous goods licence`, type: 'boolean' }),
    fact: (s, i) => {
      const yes = i % 3 !== 0;
      return { doc: 2, value: yes, sentence: `Hazardous goods licence at ${s}: ${yes ? 'yes' : 'no'}` };
    },
  },
  {
    suffix: 'services',
    aside: 'as listed in the service catalogue',
    field: (s) => ({ label: `Services offered at ${s}`, type: 'list' }),
    fact: (s, i) => {
      const list = [pick(SERVICES, i), pick(SERVICES, i + 3), pick(SERVICES, i + 5)];
      return { doc: 2, value: list, sentence: `Services at ${s}: ${list.join('; ')}` };
    },
  },
  {
    suffix: 'floor_area',
    aside: 'including mezzanines and loading bays',
    field: (s) => ({ label: `${s} floor area in square metres`, type: 'number' }),
    fact: (s, i) => {
      const area = 2_000 + ((i * 613) % 9_000) + 0.5;
      return { doc: 3, value: area, sentence: `The ${s} buildings cover ${area.toLocaleString('en-GB')} square metres` };
    },
  },
  {
    suffix: 'access',
    aside: 'and late vehicles are booked through the planning desk',
    field: (s) => ({ label: `${s} access notes`, type: 'text', description: 'How vehicles reach the site and when.' }),
    fact: (s, i) => {
      const gate = pick(['north', 'south', 'east', 'west'], i);
      const hour = 5 + (i % 4);
      const text = `Deliveries to ${s} use the ${gate} gate between ${hour}am and 9pm; drivers report to the gatehouse first`;
      return { doc: 3, value: text, sentence: text };
    },
  },
];

/**
 * A form of `fields` fields (at most 360) over four documents, about 110 characters of document per field:
 * 200 fields make about 22,000 characters, the size of the example (four short documents, one call's
 * worth of context). Deterministic: the same size always gives the same form.
 *
 * @example const { template, documents, gold } = largeForm(200);
 */
export function largeForm(fields: number): LargeForm {
  if (!Number.isInteger(fields) || fields < 1 || fields > SITES.length * ATTRIBUTES.length) {
    throw new RangeError(`largeForm: 1 to ${SITES.length * ATTRIBUTES.length} fields, got ${fields}`);
  }
  const specs: FieldSpec[] = [];
  const gold: GoldTable = {};
  const paragraphs: string[][] = DOCS.map(() => []);
  for (let i = 0; i < fields; i++) {
    const site = SITES[Math.floor(i / ATTRIBUTES.length)]!;
    const attribute = ATTRIBUTES[i % ATTRIBUTES.length]!;
    const key = `${site.toLowerCase()}_${attribute.suffix}`;
    specs.push({ key, ...attribute.field(site) });
    const fact = attribute.fact(site, i);
    gold[key] = { value: fact.value, quote: fact.sentence };
    paragraphs[fact.doc]!.push(`${fact.sentence}, ${attribute.aside}.`);
  }
  const titles = ['# Northwind Logistics: site register', 'Northwind Logistics - operations letter', 'FACILITIES SCHEDULE', 'FINANCE SUMMARY'];
  const documents = DOCS.map((name, d) => ({ name, text: `${titles[d]}\n\n${group(paragraphs[d]!).join('\n\n')}\n` }));
  return { template: { id: `site-register-${fields}`, name: `Site register (${fields} fields)`, fields: specs }, documents, gold };
}

/** Sentences in paragraphs of three, as a person would write them. */
function group(sentences: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < sentences.length; i += 3) out.push(sentences.slice(i, i + 3).join(' '));
  return out;
}
