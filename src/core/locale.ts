/** @module A template's locale as the value readers need it: the order of numeric dates and the phone region,
 * taken from the runtime's CLDR data (Intl) rather than a table kept here. */
import type { DateOrder } from './parse/date.js';

/** How a fill reads locale-dependent values; both absent means nothing ambiguous is read. */
export interface ValueLocale {
  dateOrder?: DateOrder;
  /** ISO 3166 region of national phone numbers ("GB"). */
  region?: string;
}

/** Whether `tag` is a well-formed BCP 47 language tag ("en-GB", "de", "fr-CA"). */
export function isLocaleTag(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

/**
 * The order the locale writes a short numeric date in, from how Intl formats one ("en-GB" → DMY, "en-US"
 * → MDY, "ja" → YMD); undefined for a tag Intl cannot read.
 */
export function dateOrderOf(locale: string): DateOrder | undefined {
  if (!isLocaleTag(locale)) return undefined;
  const parts = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date(Date.UTC(2024, 10, 30)))
    .map((p) => p.type)
    .filter((t) => t === 'day' || t === 'month' || t === 'year')
    .map((t) => t[0]!.toUpperCase())
    .join('');
  return parts === 'DMY' || parts === 'MDY' || parts === 'YMD' ? parts : undefined;
}

/** The region a locale names, or the one CLDR finds likeliest for its language ("en" → US, "de" → DE). */
export function regionOf(locale: string): string | undefined {
  if (!isLocaleTag(locale)) return undefined;
  return new Intl.Locale(locale).maximize().region;
}

/**
 * What a template (or a fill's options, which win) says about its documents: an explicit `dateOrder`, else
 * the one its `locale` implies; the phone region from the locale.
 * @example valueLocale({ locale: 'en-GB' }) // { dateOrder: 'DMY', region: 'GB' }
 */
export function valueLocale(...sources: ReadonlyArray<{ locale?: string; dateOrder?: DateOrder } | undefined>): ValueLocale {
  const out: ValueLocale = {};
  // Later sources (a fill's options) override earlier ones (the template).
  for (const s of sources) {
    if (!s) continue;
    const fromLocale = s.locale !== undefined ? dateOrderOf(s.locale) : undefined;
    const dateOrder = s.dateOrder ?? fromLocale;
    if (dateOrder) out.dateOrder = dateOrder;
    const region = s.locale !== undefined ? regionOf(s.locale) : undefined;
    if (region) out.region = region;
  }
  return out;
}
