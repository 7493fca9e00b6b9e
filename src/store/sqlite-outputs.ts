/** @module The SQLite implementation of the outputs part of the store. */
import type { SqliteModule } from './sqlite-modules.js';
import type { OutputStore, TemplateSourceRecord } from './output-store.js';

interface SourceRow {
  template_id: string;
  format: TemplateSourceRecord['format'];
  file_name: string;
  media_type: string;
  bytes: Buffer;
  field_names: string | null;
  created_at: string;
}

interface OutputRow {
  ref: string;
  fill_id: string;
  template_id: string;
  file_name: string;
  media_type: string;
  bytes: Buffer;
  created_at: string;
}

export const sqliteOutputs: SqliteModule<OutputStore> = {
  name: 'outputs',
  migrations: [
    `
    CREATE TABLE template_sources (
      template_id TEXT PRIMARY KEY,
      format TEXT NOT NULL,
      file_name TEXT NOT NULL,
      media_type TEXT NOT NULL,
      bytes BLOB NOT NULL,
      field_names TEXT,
      created_at TEXT NOT NULL
    );
    CREATE TABLE outputs (
      fill_id TEXT PRIMARY KEY,
      ref TEXT NOT NULL UNIQUE,
      template_id TEXT NOT NULL,
      file_name TEXT NOT NULL,
      media_type TEXT NOT NULL,
      bytes BLOB NOT NULL,
      created_at TEXT NOT NULL
    );
    `,
  ],
  create(db) {
    const sql = {
      putSource: db.prepare<[string, string, string, string, Buffer, string | null, string]>(
        `INSERT INTO template_sources (template_id, format, file_name, media_type, bytes, field_names, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (template_id) DO UPDATE SET format = excluded.format, file_name = excluded.file_name,
           media_type = excluded.media_type, bytes = excluded.bytes, field_names = excluded.field_names, created_at = excluded.created_at`,
      ),
      getSource: db.prepare<[string], SourceRow>('SELECT * FROM template_sources WHERE template_id = ?'),
      deleteSource: db.prepare<[string]>('DELETE FROM template_sources WHERE template_id = ?'),
      putOutput: db.prepare<[string, string, string, string, string, Buffer, string]>(
        `INSERT INTO outputs (fill_id, ref, template_id, file_name, media_type, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (fill_id) DO UPDATE SET ref = excluded.ref, template_id = excluded.template_id, file_name = excluded.file_name,
           media_type = excluded.media_type, bytes = excluded.bytes, created_at = excluded.created_at`,
      ),
      getOutput: db.prepare<[string], OutputRow>('SELECT * FROM outputs WHERE fill_id = ?'),
    };
    return {
      async putTemplateSource(s) {
        sql.putSource.run(s.templateId, s.format, s.fileName, s.mediaType, s.bytes, s.fieldNames ? JSON.stringify(s.fieldNames) : null, new Date().toISOString());
      },
      async getTemplateSource(templateId) {
        const row = sql.getSource.get(templateId);
        if (!row) return undefined;
        return {
          templateId: row.template_id,
          format: row.format,
          fileName: row.file_name,
          mediaType: row.media_type,
          bytes: row.bytes,
          ...(row.field_names ? { fieldNames: JSON.parse(row.field_names) as Record<string, string> } : {}),
          createdAt: row.created_at,
        };
      },
      async deleteTemplateSource(templateId) {
        sql.deleteSource.run(templateId);
      },
      async putOutput(o) {
        const ref = `${o.fillId}/${o.fileName}`;
        sql.putOutput.run(o.fillId, ref, o.templateId, o.fileName, o.mediaType, o.bytes, new Date().toISOString());
        return ref;
      },
      async getOutput(fillId) {
        const row = sql.getOutput.get(fillId);
        if (!row) return undefined;
        return {
          ref: row.ref,
          fillId: row.fill_id,
          templateId: row.template_id,
          fileName: row.file_name,
          mediaType: row.media_type,
          bytes: row.bytes,
          createdAt: row.created_at,
        };
      },
    };
  },
};
