// What every modal shares: the private_metadata, the small builders, reading view.state.values back, and
// putting a service's field issues under the right input blocks. Every input block's block_id and action_id are
// the same FIELD id (the client picker's action is ACTION.clientSelect, so the options handler can match it).
import type { ViewOutput } from '@slack/bolt';
import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { plain } from '../blocks.js';
import type { ModalMetadata } from '../ids.js';
import { truncate } from '../text.js';

/** What Slack sends back on submit: view.state.values. */
export type ViewStateValues = ViewOutput['state']['values'];

const MAX_METADATA = 3000;
const MAX_TITLE = 24;
export const MAX_OPTIONS = 100;
/** Static select option text is limited to 75 characters. */
const MAX_OPTION_TEXT = 75;

// ---------------------------------------------------------------------------------------------------------
// Metadata

/** private_metadata for a modal: ModalMetadata as JSON. Throws if it would pass Slack's 3,000 characters. */
export function encodeMetadata(metadata: ModalMetadata): string {
  const json = JSON.stringify(metadata);
  if (json.length > MAX_METADATA)
    throw new RangeError(`Modal metadata is ${json.length} characters; Slack allows 3000`);
  return json;
}

/** Reads private_metadata back; undefined when it is not ModalMetadata (a forged or foreign view). */
export function parseMetadata(privateMetadata: string | undefined | null): ModalMetadata | undefined {
  if (!privateMetadata) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(privateMetadata);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.key !== 'string' || m.key === '') return undefined;
  const out: ModalMetadata = { key: m.key };
  if (typeof m.invoiceId === 'string') out.invoiceId = m.invoiceId;
  if (typeof m.version === 'number' && Number.isInteger(m.version)) out.version = m.version;
  if (typeof m.channelId === 'string') out.channelId = m.channelId;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Small builders

export function option(text: string, value: string): PlainTextOption {
  return { text: plain(text, MAX_OPTION_TEXT), value };
}

/** An input block whose block_id and action_id are both `field` (unless the element names its own action). */
export function input(
  field: string,
  label: string,
  element: InputBlock['element'],
  opts: { optional?: boolean; hint?: string } = {},
): InputBlock {
  return {
    type: 'input',
    block_id: field,
    label: plain(label, 2000),
    element: { ...element, action_id: element.action_id ?? field },
    ...(opts.optional ? { optional: true } : {}),
    ...(opts.hint ? { hint: plain(opts.hint) } : {}),
  };
}

export function modal(p: {
  callbackId: string;
  title: string;
  blocks: KnownBlock[];
  metadata?: ModalMetadata;
  submit?: string;
  close?: string;
}): ModalView {
  return {
    type: 'modal',
    callback_id: p.callbackId,
    title: plain(p.title, MAX_TITLE),
    ...(p.submit ? { submit: plain(p.submit, MAX_TITLE) } : {}),
    close: plain(p.close ?? 'Cancel', MAX_TITLE),
    ...(p.metadata ? { private_metadata: encodeMetadata(p.metadata) } : {}),
    blocks: p.blocks,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reading view.state.values

export function stateValue(values: ViewStateValues, block: string, action = block) {
  return values[block]?.[action];
}

/** Trimmed text, or undefined when empty. */
export function textIn(values: ViewStateValues, block: string, action = block): string | undefined {
  const text = stateValue(values, block, action)?.value?.trim();
  return text ? text : undefined;
}

export function dateIn(values: ViewStateValues, block: string): string | undefined {
  return stateValue(values, block)?.selected_date ?? undefined;
}

export function timeIn(values: ViewStateValues, block: string): string | undefined {
  return stateValue(values, block)?.selected_time ?? undefined;
}

export function optionIn(values: ViewStateValues, block: string, action = block): string | undefined {
  return stateValue(values, block, action)?.selected_option?.value ?? undefined;
}

export function optionsIn(values: ViewStateValues, block: string): string[] {
  return (stateValue(values, block)?.selected_options ?? []).flatMap((o) => (o.value === undefined ? [] : [o.value]));
}

export function userIn(values: ViewStateValues, block: string): string | undefined {
  return stateValue(values, block)?.selected_user ?? undefined;
}

/** Drops the keys whose value is undefined, so a read form holds only what was filled in. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------------------
// Errors

/**
 * Service field issues → `{ [block_id]: message }` for `ack({ response_action: 'errors', errors })`.
 * A field is looked up whole ('changes.total'), then by its last part ('total'); one the map does not
 * know goes to `fallbackBlock` (default: the map's first block). Several messages on a block are joined.
 */
export function fieldErrors(
  issues: readonly { field: string; message: string }[],
  map: Readonly<Record<string, string>>,
  fallbackBlock?: string,
): Record<string, string> {
  const fallback = fallbackBlock ?? Object.values(map)[0] ?? 'input';
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const last = issue.field.split('.').pop() ?? issue.field;
    const known = map[issue.field] ?? map[last];
    const block = known ?? fallback;
    // A message from a field the form does not show says which field it is about.
    const text = known ? issue.message : `${issue.field}: ${issue.message}`;
    const message = text.charAt(0).toUpperCase() + text.slice(1);
    errors[block] = truncate(errors[block] ? `${errors[block]}; ${message}` : message, 1000);
  }
  return errors;
}
