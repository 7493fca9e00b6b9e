/** @module The API's JSON body parser: standard JSON, plus refusals JSON.parse does not make. A repeated
 * member name (RFC 8259 leaves its meaning to the parser) and `__proto__` are rejected with their path. */
import { ApiError, joinPath } from './api-error.js';

const MAX_DEPTH = 64;

/** @throws ApiError 400 `malformed_json` or `duplicate_key` */
export function parseStrictJson(text: string): unknown {
  if (text.trim() === '') throw new ApiError(400, 'malformed_json', 'the request body is empty; send a JSON value');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'malformed_json', `the request body is not valid JSON: ${(err as Error).message}`);
  }
  checkMembers(text);
  return value;
}

interface Frame {
  kind: 'object' | 'array';
  keys: Set<string>;
  path: string;
  index: number;
  lastKey?: string;
}

/** One pass over text JSON.parse already accepted: tracks member names per object and the path to each. */
function checkMembers(text: string): void {
  const stack: Frame[] = [];
  const here = () => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    return top.kind === 'array' ? joinPath(top.path, `[${top.index}]`) : joinPath(top.path, top.lastKey ?? '');
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, j + 1);
      let k = j + 1;
      while (k < text.length && /\s/.test(text[k]!)) k++;
      const top = stack[stack.length - 1];
      if (text[k] === ':' && top?.kind === 'object') {
        const key = JSON.parse(raw) as string;
        const path = joinPath(top.path, key);
        if (key === '__proto__') throw new ApiError(400, 'forbidden_key', 'the member name "__proto__" is not allowed', path);
        if (top.keys.has(key)) throw new ApiError(400, 'duplicate_key', `"${key}" appears twice in the same object`, path);
        top.keys.add(key);
        top.lastKey = key;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      if (stack.length >= MAX_DEPTH) throw new ApiError(400, 'too_deep', `JSON nested deeper than ${MAX_DEPTH} levels`, here());
      stack.push({ kind: c === '{' ? 'object' : 'array', keys: new Set(), path: here(), index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'array') top.index++;
    }
  }
}
