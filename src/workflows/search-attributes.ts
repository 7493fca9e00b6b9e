/** @module The search attributes fills publish, defined once: operators list parked fills in the Temporal UI
 * with `FillflowStatus = "paused-quota"`, a template's fills with `FillflowTemplate = "…"`. Every dev server we start registers them (see {@link DEV_SERVER_SEARCH_ATTRIBUTES}). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Follows every transition: `running`, `paused-quota`, `completed`, `failed` or `cancelled`. */
export const FILL_STATUS = defineSearchAttributeKey('FillflowStatus', SearchAttributeType.KEYWORD);
/** The template a fill fills: an operator lists a template's fills with `FillflowTemplate = "nda"`. */
export const FILL_TEMPLATE = defineSearchAttributeKey('FillflowTemplate', SearchAttributeType.KEYWORD);
/** While parked: when the fill resumes by itself. */
export const FILL_RESUME_AT = defineSearchAttributeKey('FillflowResumeAt', SearchAttributeType.DATETIME);

/** The bulk a fill is a row of, set on the bulk and on every row's fill: `FillflowBulkId = "bulk-…"` lists them. */
export const FILL_BULK_ID = defineSearchAttributeKey('FillflowBulkId', SearchAttributeType.KEYWORD);

/** The same keys, for registration on a server. */
export const FILL_SEARCH_ATTRIBUTE_KEYS = [FILL_STATUS, FILL_RESUME_AT, FILL_TEMPLATE, FILL_BULK_ID];

/** As `temporal server start-dev --search-attribute` and docker-compose.yml's temporal-namespace service (SEARCH_ATTRIBUTES) spell them. */
export const DEV_SERVER_SEARCH_ATTRIBUTES = { FillflowStatus: 'Keyword', FillflowResumeAt: 'Datetime', FillflowTemplate: 'Keyword', FillflowBulkId: 'Keyword' } as const;
