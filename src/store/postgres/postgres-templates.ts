/** @module The Postgres implementation of the templates part of the store: template specs by id, kept as `json`
 * (not `jsonb`) so a spec reads back exactly as written, its keys in their order. */
import type { TemplateSpec } from '../../core/types.js';
import type { Store } from '../store.js';
import type { PgModule } from './postgres-modules.js';

type TemplateStore = Pick<Store, 'putTemplate' | 'getTemplate' | 'listTemplates'>;

export const postgresTemplates: PgModule<TemplateStore> = {
  name: 'templates',
  migrations: [
    `
    CREATE TABLE templates (
      id text PRIMARY KEY,
      name text NOT NULL,
      spec json NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    `,
  ],
  create(db) {
    return {
      async putTemplate(spec) {
        await db.query(
          `INSERT INTO templates (id, name, spec) VALUES ($1, $2, $3::json)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, spec = excluded.spec, updated_at = now()`,
          [spec.id, spec.name, JSON.stringify(spec)],
        );
      },
      async getTemplate(id) {
        const [row] = await db.query<{ spec: TemplateSpec }>('SELECT spec FROM templates WHERE id = $1', [id]);
        return row?.spec;
      },
      async listTemplates() {
        return db.query<{ id: string; name: string; fields: number }>(
          `SELECT id, name, coalesce(json_array_length(spec -> 'fields'), 0) AS fields FROM templates
           ORDER BY name COLLATE "C", id COLLATE "C"`,
        );
      },
    };
  },
};
