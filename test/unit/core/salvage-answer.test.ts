import { describe, expect, it } from 'vitest';
import { salvageTruncatedObject } from '../../../src/core/salvage-answer.js';

describe('salvageTruncatedObject', () => {
  it.each([
    ['a cut inside the second entry', '{"a":{"value":1,"quote":"x"},"b":{"val', { a: { value: 1, quote: 'x' } }],
    ['braces and quotes inside strings', '{"a":{"value":"}{\\"","quote":"a, b"},"b":{"value":"x', { a: { value: '}{"', quote: 'a, b' } }],
    ['a scalar member before the cut', '{"a":null,"b":{"value":', { a: null }],
    ['a list value', '{"a":{"value":["x","y"],"quote":null},"b":', { a: { value: ['x', 'y'], quote: null } }],
    ['a complete object', '{"a":{"value":2,"quote":null}}', { a: { value: 2, quote: null } }],
  ])('keeps the complete members of %s', (_name, text, expected) => {
    expect(JSON.parse(salvageTruncatedObject(text)!)).toEqual(expected);
  });

  it.each([['nothing closed', '{"a":{"value":"abc'], ['no object', 'Sorry, I cannot'], ['empty', '']])('gives up on %s', (_n, text) => {
    expect(salvageTruncatedObject(text)).toBeUndefined();
  });
});
