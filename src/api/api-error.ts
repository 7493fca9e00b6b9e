/** @module The API's one error type and the one shape every error takes on the wire:
 * `{ error: { code, message, path? } }`, never a stack trace. */

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    /** Where the problem is: `documentIds[2]`, `template.fields[3].type`, `file`. */
    path?: string;
    /** Every problem, when there are several (an invalid template). */
    issues?: { path: string; message: string }[];
  };
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly path?: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.path !== undefined ? { path: this.path } : {}),
        ...(this.issues && this.issues.length > 0 ? { issues: this.issues.slice(0, 50) } : {}),
      },
    };
  }
}

/** `/template/fields/3/type` → `template.fields[3].type`. */
export function pointerToPath(pointer: string, prefix = ''): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = prefix;
  for (const s of segments) out += /^\d+$/.test(s) ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

export function joinPath(parent: string, child: string): string {
  if (parent === '') return child;
  if (child === '' || child === '$') return parent;
  return child.startsWith('[') ? `${parent}${child}` : `${parent}.${child}`;
}
