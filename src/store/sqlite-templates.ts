/** @module The SQLite implementation of the templates part of the store: template specs as JSON, by id.
 * Its table is the baseline's (see sqlite-store.ts). */
import type { TemplateSpec } from '../core/types.js';
import type { SqliteModule } from './sqlite-modules.js';
import type { Store } from './store.js';

type TemplateStore = Pick<Store, 'putTemplate' | 'getTemplate' | 'listTemplates'>;

export const sqliteTemplates: SqliteModule<TemplateStore> = {
  name: 'templates',
  // The table is the baseline's; changes to it go here.
  migrations: [],
  create(db) {
    const sql = {
      upsert: db.prepare<[string, string, string, string, string]>(
        `INSERT INTO templates (id, name, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, spec = excluded.spec, updated_at = excluded.updated_at`,
      ),
      byId: db.prepare<[string], { spec: string }>('SELECT spec FROM templates WHERE id = ?'),
      all: db.prepare<[], { id: string; name: string; fields: number }>(
        `SELECT id, name, json_array_length(spec, '$.fields') AS fields FROM templates ORDER BY name, id`,
      ),
    };
    return {
      async putTemplate(spec) {
        const at = new Date().toISOString();
        sql.upsert.run(spec.id, spec.name, JSON.stringify(spec), at, at);
      },
      async getTemplate(id) {
        const row = sql.byId.get(id);
        return row ? (JSON.parse(row.spec) as TemplateSpec) : undefined;
      },
      async listTemplates() {
        return sql.all.all();
      },
    };
  },
};
