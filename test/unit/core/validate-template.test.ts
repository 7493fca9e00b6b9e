import { describe, expect, it } from 'vitest';
import { TemplateError, validateTemplate } from '../../../src/core/validate-template.js';

const ok = { id: 'nda', name: 'NDA', fields: [{ key: 'party', label: 'Party', type: 'string' }] };
const withField = (f: Record<string, unknown>) => ({ id: 't', fields: [f] });

describe('validateTemplate', () => {
  it('accepts a good template and fills in defaults', () => {
    const t = validateTemplate({ id: 'x', fields: [{ key: 'effective_date', type: 'date' }] });
    expect(t).toEqual({ id: 'x', name: 'x', fields: [{ key: 'effective_date', label: 'Effective date', type: 'date' }] });
    expect(validateTemplate(ok).fields[0]!.label).toBe('Party');
  });

  it.each([
    ['not an object', [], '$', /JSON object/],
    ['no id', { fields: ok.fields }, 'id', /required/],
    ['id with a slash', { ...ok, id: '../etc' }, 'id', /letters/],
    ['no fields', { id: 'x' }, 'fields', /array/],
    ['empty fields', { id: 'x', fields: [] }, 'fields', /at least one/],
    ['too many fields', { id: 'x', fields: Array.from({ length: 501 }, (_, i) => ({ key: `k${i}`, type: 'string' })) }, 'fields', /too many/],
    ['unknown template property', { ...ok, feilds: [] }, 'feilds', /unknown property/],
    ['unknown type', withField({ key: 'a', type: 'strng' }), 'fields[0].type', /unknown type "strng"/],
    ['enum without options', withField({ key: 'a', type: 'enum' }), 'fields[0].options', /non-empty "options"/],
    ['enum with empty option', withField({ key: 'a', type: 'enum', options: ['x', ' '] }), 'fields[0].options[1]', /non-empty/],
    ['enum with duplicate options', withField({ key: 'a', type: 'enum', options: ['Yes', 'yes'] }), 'fields[0].options', /distinct/],
    ['options on a string', withField({ key: 'a', type: 'string', options: ['x'] }), 'fields[0].options', /only for enum/],
    ['bad pattern', withField({ key: 'a', type: 'string', pattern: '([a-z' }), 'fields[0].pattern', /bad pattern/],
    ['pattern on a date', withField({ key: 'a', type: 'date', pattern: '.*' }), 'fields[0].pattern', /text-like/],
    ['key with a space', withField({ key: 'a b', type: 'string' }), 'fields[0].key', /letters/],
    ['misspelt field property', withField({ key: 'a', tpye: 'string', type: 'string' }), 'fields[0].tpye', /unknown property/],
    ['required not boolean', withField({ key: 'a', type: 'string', required: 'yes' }), 'fields[0].required', /true or false/],
    ['examples not strings', withField({ key: 'a', type: 'string', examples: [{}] }), 'fields[0].examples', /strings/],
    ['a locale that is no BCP 47 tag', { ...ok, locale: 'English (UK)' }, 'locale', /"English \(UK\)" is not a BCP 47 locale tag/],
    ['a locale that is not a string', { ...ok, locale: 44 }, 'locale', /44 is not a BCP 47/],
    ['an unknown date order', { ...ok, dateOrder: 'DDMMYYYY' }, 'dateOrder', /"DDMMYYYY" is not a date order \(expected one of: DMY, MDY, YMD/],
    ['a date order in lower case', { ...ok, dateOrder: 'dmy' }, 'dateOrder', /"dmy" is not a date order/],
  ])('rejects %s at %s', (_name, input, path, message) => {
    try {
      validateTemplate(input);
      expect.unreachable('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(TemplateError);
      const issue = (err as TemplateError).issues.find((i) => i.path === path);
      expect(issue, JSON.stringify((err as TemplateError).issues)).toBeDefined();
      expect(issue!.message).toMatch(message);
      expect((err as Error).message).toContain(path);
    }
  });

  it('names both places of a duplicate key', () => {
    expect(() =>
      validateTemplate({ id: 't', fields: [{ key: 'a', type: 'string' }, { key: 'b', type: 'string' }, { key: 'a', type: 'date' }] }),
    ).toThrow(/fields\[2\]\.key: duplicate key "a" \(first used by fields\[0\]\)/);
  });

  it('reports every problem, not only the first', () => {
    try {
      validateTemplate({ id: 't', fields: [{ key: 'a', type: 'nope' }, { key: 'b', type: 'enum' }] });
    } catch (err) {
      expect((err as TemplateError).issues.map((i) => i.path)).toEqual(['fields[0].type', 'fields[1].options']);
    }
  });
});

describe('validateTemplate: locale and date order', () => {
  it('keeps a canonical locale and a date order', () => {
    expect(validateTemplate({ ...ok, locale: 'en-gb', dateOrder: 'DMY' })).toMatchObject({ locale: 'en-GB', dateOrder: 'DMY' });
  });

  it('leaves both out when not given', () => {
    const t = validateTemplate(ok);
    expect('locale' in t || 'dateOrder' in t).toBe(false);
  });
});
