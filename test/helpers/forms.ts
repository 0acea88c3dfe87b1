// What a person fills in on Slack's forms, as view_submission state values: one place for the tests that submit them.
import { ACTION, FIELD } from '../../src/slack/ui/ids.js';
import { stateValue, type ValuesInput } from './signed.js';

/** The new-invoice form filled in as a person would (a new client Initech, $2,500.00, net 30, sent), with `overrides`. */
export function newInvoiceValues(owner: string, overrides: Record<string, unknown> = {}): ValuesInput {
  return {
    [FIELD.client]: { [ACTION.clientSelect]: stateValue.external(null) },
    [FIELD.newClient]: { [FIELD.newClient]: 'Initech' },
    [FIELD.number]: { [FIELD.number]: 'INV-0001' },
    [FIELD.amount]: { [FIELD.amount]: '$2,500.00' },
    [FIELD.currency]: { [FIELD.currency]: stateValue.select('USD') },
    [FIELD.issueDate]: { [FIELD.issueDate]: stateValue.date('2026-11-20') },
    [FIELD.terms]: { [FIELD.terms]: stateValue.select('Net 30') },
    [FIELD.customDueDate]: { [FIELD.customDueDate]: stateValue.date(null) },
    [FIELD.basisDate]: { [FIELD.basisDate]: stateValue.date(null) },
    [FIELD.basisLabel]: { [FIELD.basisLabel]: null },
    [FIELD.owner]: { [FIELD.owner]: stateValue.user(owner) },
    [FIELD.description]: { [FIELD.description]: 'Website redesign' },
    [FIELD.status]: { [FIELD.status]: stateValue.radio('sent') },
    ...overrides,
  } as ValuesInput;
}
