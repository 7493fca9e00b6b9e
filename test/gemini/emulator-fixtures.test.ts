/** @module The emulator's error bodies have the structure of the recorded real ones in test/fixtures/gemini. */
import { readFileSync } from 'node:fs';
import { ApiError, GoogleGenAI } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';

const MODEL = 'gemini-2.5-flash';
const KEY = 'fixture-key';
const NOON_PDT = Date.UTC(2026, 5, 15, 19);

type Body = { error: { code: number; status: string; message: string; details?: Array<Record<string, unknown>> } };

function fixture(name: string): Body {
  return JSON.parse(readFileSync(new URL(`../fixtures/gemini/${name}`, import.meta.url), 'utf8'));
}

/**
 * The structure of a JSON value: keys and value types, with arrays compared as the set of their
 * elements' structures, since detail order and violation counts legitimately vary.
 */
function structure(v: unknown): unknown {
  if (Array.isArray(v)) return [...new Set(v.map((x) => JSON.stringify(structure(x))))].sort();
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, structure((v as Record<string, unknown>)[k])]),
    );
  }
  return v === null ? 'null' : typeof v;
}

/** What a parser keys on, beyond structure: the codes, detail types, quota ids, and message grammar. */
function essentials(body: Body) {
  const details = body.error.details ?? [];
  const violations = details.flatMap((d) => (d.violations as Array<Record<string, string>> | undefined) ?? []);
  return {
    code: body.error.code,
    status: body.error.status,
    detailTypes: details.map((d) => d['@type']).sort(),
    quotaIds: violations.map((v) => v.quotaId).sort(),
    limitLines: (body.error.message.match(/\* Quota exceeded for metric: \S+, limit: \d+, model: \S+\n/g) ?? []).length,
    retryLine: /\nPlease retry in \d+(\.\d+)?s\.$/.test(body.error.message),
  };
}

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** Starts an emulator, runs `setup`, then returns the body of the failing generateContent that follows. */
async function emulatorBody(
  options: EmulatorOptions,
  setup: (ai: GoogleGenAI, em: Emulator) => Promise<void> = async () => {},
  model = MODEL,
  apiKey = KEY,
): Promise<Body> {
  emulator = await startEmulator({ now: () => NOON_PDT, ...options });
  const ai = new GoogleGenAI({ apiKey, httpOptions: { baseUrl: emulator.url } });
  await setup(ai, emulator);
  try {
    await ai.models.generateContent({ model, contents: 'Tenant: Acme Corp.' });
  } catch (e) {
    if (e instanceof ApiError) return JSON.parse(e.message);
    throw e;
  }
  throw new Error('expected the emulator to refuse the request');
}

const once = (ai: GoogleGenAI) => ai.models.generateContent({ model: MODEL, contents: 'x' }).then(() => undefined);

const cases: Array<{ fixture: string; produce: () => Promise<Body> }> = [
  { fixture: '429-per-minute.json', produce: () => emulatorBody({ limits: { rpm: 1 } }, once) },
  { fixture: '429-per-day.json', produce: () => emulatorBody({ limits: { rpd: 1 } }, once) },
  {
    fixture: '429-multi-violation.json',
    produce: () => emulatorBody({ limits: { rpm: 1, rpd: 1, tpm: 1 } }, once),
  },
  {
    fixture: '429-limit-zero.json',
    produce: () => emulatorBody({}, async (_ai, em) => em.inject({ kind: 'limit-zero' })),
  },
  {
    fixture: '429-no-details.json',
    produce: () => emulatorBody({}, async (_ai, em) => em.inject({ kind: 'no-details-429' })),
  },
  { fixture: '503.json', produce: () => emulatorBody({}, async (_ai, em) => em.inject({ kind: 'status', status: 503 })) },
  { fixture: '500.json', produce: () => emulatorBody({}, async (_ai, em) => em.inject({ kind: 'status', status: 500 })) },
  { fixture: '400-api-key-invalid.json', produce: () => emulatorBody({ apiKeys: ['other'] }) },
  { fixture: '404-model.json', produce: () => emulatorBody({ models: ['gemini-2.5-pro'] }) },
];

describe('emulator error bodies match the recorded fixtures', () => {
  for (const c of cases) {
    it(c.fixture, async () => {
      const want = fixture(c.fixture);
      const got = await c.produce();
      expect(structure(got)).toEqual(structure(want));
      expect(essentials(got)).toEqual(essentials(want));
    });
  }

  it('the plain error fixtures match word for word', async () => {
    expect(await emulatorBody({}, async (_ai, em) => em.inject({ kind: 'status', status: 503 }))).toEqual(fixture('503.json'));
    await emulator?.close();
    expect(await emulatorBody({}, async (_ai, em) => em.inject({ kind: 'status', status: 500 }))).toEqual(fixture('500.json'));
    await emulator?.close();
    expect(await emulatorBody({ apiKeys: ['other'] })).toEqual(fixture('400-api-key-invalid.json'));
    await emulator?.close();
    expect(await emulatorBody({ models: [MODEL] }, undefined, 'gemini-2.0-flash')).toEqual(fixture('404-model.json'));
  });
});
