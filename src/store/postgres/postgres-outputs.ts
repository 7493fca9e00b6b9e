/** @module The Postgres implementation of the outputs part of the store: template source files and rendered
 * filled documents, as bytea. */
import type { OutputStore, TemplateSourceRecord } from '../output-store.js';
import type { PgModule } from './postgres-modules.js';

interface SourceRow {
  template_id: string;
  format: TemplateSourceRecord['format'];
  file_name: string;
  media_type: string;
  bytes: Buffer;
  field_names: Record<string, string> | null;
  created_at: Date;
}

interface OutputRow {
  ref: string;
  fill_id: string;
  template_id: string;
  file_name: string;
  media_type: string;
  bytes: Buffer;
  created_at: Date;
}

export const postgresOutputs: PgModule<OutputStore> = {
  name: 'outputs',
  migrations: [
    `
    CREATE TABLE template_sources (
      template_id text PRIMARY KEY,
      format text NOT NULL,
      file_name text NOT NULL,
      media_type text NOT NULL,
      bytes bytea NOT NULL,
      field_names json,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE outputs (
      fill_id text PRIMARY KEY,
      ref text NOT NULL UNIQUE,
      template_id text NOT NULL,
      file_name text NOT NULL,
      media_type text NOT NULL,
      bytes bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    `,
  ],
  create(db) {
    return {
      async putTemplateSource(s) {
        await db.query(
          `INSERT INTO template_sources (template_id, format, file_name, media_type, bytes, field_names) VALUES ($1, $2, $3, $4, $5, $6::json)
           ON CONFLICT (template_id) DO UPDATE SET format = excluded.format, file_name = excluded.file_name,
             media_type = excluded.media_type, bytes = excluded.bytes, field_names = excluded.field_names, created_at = now()`,
          [s.templateId, s.format, s.fileName, s.mediaType, s.bytes, s.fieldNames ? JSON.stringify(s.fieldNames) : null],
        );
      },
      async getTemplateSource(templateId) {
        const [row] = await db.query<SourceRow>('SELECT * FROM template_sources WHERE template_id = $1', [templateId]);
        if (!row) return undefined;
        return {
          templateId: row.template_id,
          format: row.format,
          fileName: row.file_name,
          mediaType: row.media_type,
          bytes: row.bytes,
          ...(row.field_names ? { fieldNames: row.field_names } : {}),
          createdAt: row.created_at.toISOString(),
        };
      },
      async deleteTemplateSource(templateId) {
        await db.query('DELETE FROM template_sources WHERE template_id = $1', [templateId]);
      },
      async putOutput(o) {
        const ref = `${o.fillId}/${o.fileName}`;
        await db.query(
          `INSERT INTO outputs (fill_id, ref, template_id, file_name, media_type, bytes) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (fill_id) DO UPDATE SET ref = excluded.ref, template_id = excluded.template_id, file_name = excluded.file_name,
             media_type = excluded.media_type, bytes = excluded.bytes, created_at = now()`,
          [o.fillId, ref, o.templateId, o.fileName, o.mediaType, o.bytes],
        );
        return ref;
      },
      async getOutput(fillId) {
        const [row] = await db.query<OutputRow>('SELECT * FROM outputs WHERE fill_id = $1', [fillId]);
        if (!row) return undefined;
        return {
          ref: row.ref,
          fillId: row.fill_id,
          templateId: row.template_id,
          fileName: row.file_name,
          mediaType: row.media_type,
          bytes: row.bytes,
          createdAt: row.created_at.toISOString(),
        };
      },
    };
  },
};
