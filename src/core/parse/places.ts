/** @module Names of jurisdictions: US states, Canadian provinces, Australian states, the UK's nations and the
 * world's countries, for reading "the laws of the State of New York" or "the courts of England". */

/** The fifty states, the District of Columbia and the inhabited territories, with their USPS codes. */
export const US_STATES: ReadonlyArray<readonly [name: string, code: string]> = [
  ['Alabama', 'AL'], ['Alaska', 'AK'], ['Arizona', 'AZ'], ['Arkansas', 'AR'], ['California', 'CA'], ['Colorado', 'CO'],
  ['Connecticut', 'CT'], ['Delaware', 'DE'], ['District of Columbia', 'DC'], ['Florida', 'FL'], ['Georgia', 'GA'],
  ['Hawaii', 'HI'], ['Idaho', 'ID'], ['Illinois', 'IL'], ['Indiana', 'IN'], ['Iowa', 'IA'], ['Kansas', 'KS'],
  ['Kentucky', 'KY'], ['Louisiana', 'LA'], ['Maine', 'ME'], ['Maryland', 'MD'], ['Massachusetts', 'MA'],
  ['Michigan', 'MI'], ['Minnesota', 'MN'], ['Mississippi', 'MS'], ['Missouri', 'MO'], ['Montana', 'MT'],
  ['Nebraska', 'NE'], ['Nevada', 'NV'], ['New Hampshire', 'NH'], ['New Jersey', 'NJ'], ['New Mexico', 'NM'],
  ['New York', 'NY'], ['North Carolina', 'NC'], ['North Dakota', 'ND'], ['Ohio', 'OH'], ['Oklahoma', 'OK'],
  ['Oregon', 'OR'], ['Pennsylvania', 'PA'], ['Rhode Island', 'RI'], ['South Carolina', 'SC'], ['South Dakota', 'SD'],
  ['Tennessee', 'TN'], ['Texas', 'TX'], ['Utah', 'UT'], ['Vermont', 'VT'], ['Virginia', 'VA'], ['Washington', 'WA'],
  ['West Virginia', 'WV'], ['Wisconsin', 'WI'], ['Wyoming', 'WY'], ['Puerto Rico', 'PR'], ['Guam', 'GU'],
  ['U.S. Virgin Islands', 'VI'], ['American Samoa', 'AS'], ['Northern Mariana Islands', 'MP'],
];

const CANADA = [
  'Alberta', 'British Columbia', 'Manitoba', 'New Brunswick', 'Newfoundland and Labrador', 'Nova Scotia', 'Ontario',
  'Prince Edward Island', 'Quebec', 'Saskatchewan', 'Northwest Territories', 'Nunavut', 'Yukon',
];
const AUSTRALIA = ['New South Wales', 'Queensland', 'South Australia', 'Tasmania', 'Victoria', 'Western Australia', 'Australian Capital Territory'];
// The UK has three legal systems; contracts name them, often as a pair.
const UNITED_KINGDOM = ['England and Wales', 'England', 'Wales', 'Scotland', 'Northern Ireland'];

/**
 * Country names in English from the runtime's CLDR data (Intl.DisplayNames), so the list follows ICU rather
 * than a copy kept here. Names CLDR writes with "&" or a qualifier ("Hong Kong SAR China", "Myanmar (Burma)")
 * are given the form a contract writes.
 */
function countryNames(): string[] {
  const names = new Intl.DisplayNames('en', { type: 'region', fallback: 'none' });
  const out: string[] = [];
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      const name = names.of(code);
      if (name === undefined || name === code) continue;
      out.push(name.replace(/\s*\([^)]*\)/g, '').replace(/ SAR China$/, '').replace(/ - .*$/, '').replace(/&/g, 'and').replace(/^St\. /, 'Saint '));
    }
  }
  return out;
}

/** Other names contracts give countries, each with the name it stands for. */
const COUNTRY_ALIASES: Readonly<Record<string, string>> = {
  'United States of America': 'United States',
  'U.S.A.': 'United States',
  USA: 'United States',
  'U.S.': 'United States',
  'Great Britain': 'United Kingdom',
  'Russian Federation': 'Russia',
  Holland: 'Netherlands',
  'The Netherlands': 'Netherlands',
};

/** Official long forms kept as written, since a value that names a state by its long form means it. */
const LONG_FORMS = ["People's Republic of China", 'Republic of Korea', 'Republic of Ireland', 'Republic of Singapore'];

/** What kind of place a name is: a state, province or nation within a country, or a country. */
export type PlaceKind = 'region' | 'country';

export interface Place {
  /** The name as a value gives it: "New York", "England and Wales", "Germany". */
  name: string;
  kind: PlaceKind;
}

function buildPlaces(): Map<string, Place> {
  const places = new Map<string, Place>();
  const add = (written: string, place: Place) => {
    const key = placeKey(written);
    if (!places.has(key)) places.set(key, place);
  };
  // Regions first: "Georgia" in a US contract's governing-law clause is the state.
  for (const [name] of US_STATES) add(name, { name, kind: 'region' });
  for (const name of [...CANADA, ...AUSTRALIA, ...UNITED_KINGDOM]) add(name, { name, kind: 'region' });
  for (const name of countryNames()) add(name, { name, kind: 'country' });
  for (const [alias, name] of Object.entries(COUNTRY_ALIASES)) add(alias, { name, kind: 'country' });
  for (const name of LONG_FORMS) add(name, { name, kind: 'country' });
  return places;
}

/** Lower case, single spaces, "&" as "and", one apostrophe, no dots: how a written name is looked up. */
function placeKey(s: string): string {
  return s.toLowerCase().replace(/’/g, "'").replace(/&/g, ' and ').replace(/\./g, '').replace(/^the\s+/, '').replace(/\s+/g, ' ').trim();
}

let byKey: Map<string, Place> | undefined;

/** The place a name written in a document stands for ("the Commonwealth of Massachusetts" is not one; "Massachusetts" is). */
export function lookupPlace(written: string): Place | null {
  byKey ??= buildPlaces();
  return byKey.get(placeKey(written)) ?? null;
}

let pattern: string | undefined;

/**
 * A regular-expression alternation (no flags, no groups) matching every known place name as written,
 * longest first, with any run of whitespace between words and an optional dot after abbreviations.
 */
export function placeNamePattern(): string {
  if (pattern !== undefined) return pattern;
  byKey ??= buildPlaces();
  const written = new Set<string>();
  for (const [name] of US_STATES) written.add(name);
  for (const name of [...CANADA, ...AUSTRALIA, ...UNITED_KINGDOM, ...countryNames(), ...Object.keys(COUNTRY_ALIASES), ...LONG_FORMS]) written.add(name);
  pattern = [...written]
    .sort((a, b) => b.length - a.length)
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+').replace(/\band\b/g, '(?:and|&)').replace(/'/g, "['’]"))
    .join('|');
  return pattern;
}
