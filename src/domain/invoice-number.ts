// What an invoice number may be. Any text a person or a ledger uses: spaces, `/`, `#`, `< > &`, any script,
// cleaned and checked like every other one-line text (no control characters). Slack and the status page escape
// it where it is shown; commands take one with spaces in quotes (`/invoice paid "INV 7" 100`).

/**
 * The longest number kept: Xero's own limit, so any Xero invoice comes in as it is (xero_accounting.yaml,
 * components.schemas.Invoice.properties.InvoiceNumber: maxLength 255). Slack shows the first 40 characters.
 */
export const INVOICE_NUMBER_MAX = 255;
