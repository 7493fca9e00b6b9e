/** @module The shared token and daily request ledger, keyed by API key identity and model (issue 5). The store methods of this part. */

export interface QuotaLedgerStore {}
