/** `fill --template` reads every format and its errors say which file and where. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplateFile } from '../../../src/cli/load-template-file.js';
import { progressReporter } from '../../../src/cli/progress-reporter.js';
import { makeDocx, makePdfForm } from '../../helpers/template-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'fillflow-cli-template-'));
const file = (name: string, data: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
};

describe('loadTemplateFile', () => {
  it('reads JSON, Markdown, DOCX (with a --spec) and PDF forms', async () => {
    expect((await loadTemplateFile(file('plain.json', '{"fields":[{"key":"a","type":"string"}]}'))).spec.id).toBe('plain');
    expect((await loadTemplateFile(file('note.md', 'Hi {{name}}'))).format).toBe('markdown');
    const spec = file('spec.json', JSON.stringify({ id: 'with-spec', fields: [{ key: 'amount', type: 'money' }] }));
    const docx = await loadTemplateFile(file('form.docx', makeDocx([['Pay {{amount}}']])), spec);
    expect(docx.spec).toMatchObject({ id: 'with-spec', fields: [{ key: 'amount', type: 'money' }] });
    expect(docx.source?.fileName).toBe('form.docx');
    const pdf = await loadTemplateFile(file('form.pdf', await makePdfForm([{ name: 'signed', kind: 'checkbox' }])));
    expect(pdf.spec.fields).toEqual([{ key: 'signed', label: 'Signed', type: 'boolean' }]);
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.docx'), /template file not found: .*missing\.docx/],
    ['an invalid template', () => file('bad.json', '{"id":"b","fields":[{"key":"a","type":"enum"}]}'), /bad\.json: invalid template: fields\[0\]\.options/],
    ['a binary posing as .docx', () => file('fake.docx', Buffer.alloc(100, 1)), /fake\.docx is not a usable DOCX/],
    ['a bad placeholder', () => file('t.md', 'ok\n{{ no good }}'), /t\.md: line 2: placeholder/],
  ])('names the file and the problem for %s', async (_name, path, message) => {
    await expect(loadTemplateFile(path())).rejects.toThrow(message);
  });
});

describe('progressReporter', () => {
  it('writes plain progress lines when stderr is not a terminal', () => {
    const lines: string[] = [];
    const r = progressReporter({ stderr: (l) => lines.push(l) }, false);
    r.update({ fillId: 'f', phase: 'extracting', fieldsTotal: 30, fieldsDone: 15, batchesTotal: 2, batchesDone: 1, splits: 0, notices: [] });
    r.stop();
    expect(lines).toEqual(['progress: extracting  batches 1/2  fields 15/30']);
  });
});
