/** @module Rendered filled documents (Markdown, DOCX, PDF form), downloadable (issue 4). The store methods of this part. */

export interface OutputStore {}
