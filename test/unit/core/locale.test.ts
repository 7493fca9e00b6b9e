import { describe, expect, it } from 'vitest';
import { dateOrderOf, isLocaleTag, regionOf, valueLocale } from '../../../src/core/locale.js';

describe('dateOrderOf and regionOf (from CLDR through Intl)', () => {
  const cases: [locale: string, order: string | undefined, region: string | undefined][] = [
    ['en-GB', 'DMY', 'GB'],
    ['en-US', 'MDY', 'US'],
    ['en', 'MDY', 'US'],
    ['de-DE', 'DMY', 'DE'],
    ['fr', 'DMY', 'FR'],
    ['ja', 'YMD', 'JP'],
    ['not a locale!', undefined, undefined],
  ];
  it.each(cases)('%s', (locale, order, region) => {
    expect(dateOrderOf(locale)).toBe(order);
    expect(regionOf(locale)).toBe(region);
  });
});

describe('isLocaleTag', () => {
  it.each([['en-GB', true], ['de', true], ['en_GB', false], ['English UK', false], ['en-', false], ['', false]] as const)('%s is %s', (tag, ok) =>
    expect(isLocaleTag(tag)).toBe(ok));
});

describe('valueLocale', () => {
  it('takes the date order and region from a locale', () => expect(valueLocale({ locale: 'en-GB' })).toEqual({ dateOrder: 'DMY', region: 'GB' }));
  it('lets an explicit date order win over the locale', () => expect(valueLocale({ locale: 'en-GB', dateOrder: 'MDY' })).toEqual({ dateOrder: 'MDY', region: 'GB' }));
  it("lets a fill's options override the template's", () => expect(valueLocale({ locale: 'en-US' }, { dateOrder: 'DMY' })).toEqual({ dateOrder: 'DMY', region: 'US' }));
  it('gives nothing when nothing is said', () => expect(valueLocale({}, undefined)).toEqual({}));
});
