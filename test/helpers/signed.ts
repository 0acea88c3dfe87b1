// Requests to a Bolt HTTP app exactly as Slack sends them: signed, form-encoded (commands, `payload=` JSON for
// interactivity) or JSON (events), with realistic payload shapes and defaults so tests stay short.
//
//   const res = await slashCommand(baseUrl, secret, { text: 'new', response_url: fake.responseUrl('c1') });
//   const res = await viewSubmission(baseUrl, secret, { callback_id: VIEW.payment, values: { [FIELD.amount]: { [FIELD.amount]: '100' } } });
//   const slack = slackClient(baseUrl, secret, { fake, team_id: 'T1' });   // the same, bound, response_urls on the fake
//
// No default points anywhere on the internet: an unset response_url is http://127.0.0.1:1/… (connection refused).
import { createHmac, randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, request } from 'node:http';
import type { Args, FakeSlack } from './fake-slack.js';

export const SLACK_DEFAULTS = {
  team_id: 'T0TEAM',
  team_domain: 'acme',
  user_id: 'U0USER',
  user_name: 'ana',
  channel_id: 'C0CHAN',
  channel_name: 'finance',
  api_app_id: 'A0APP',
  /** The deprecated verification token Slack still sends in payloads. */
  token: 'fake-verification-token',
  bot_id: 'B0BOT',
  bot_user_id: 'U0BOT',
} as const;

/** Where respond() goes when a test gave no response_url: nothing listens on port 1, so it fails fast, offline. */
export const UNSET_RESPONSE_URL = 'http://127.0.0.1:1/respond/unset';

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';

export interface SignedHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
  'content-type': string;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret, as Slack signs. */
export function slackSignature(secret: string, body: string, timestamp: number | string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Slack's headers for `body`. Content type: JSON when the body looks like a JSON object, form-encoded otherwise. */
export function signSlackRequest(
  secret: string,
  body: string,
  timestamp: number = nowSeconds(),
  contentType: string = body.trimStart().startsWith('{') ? JSON_TYPE : FORM,
): SignedHeaders {
  return {
    'x-slack-signature': slackSignature(secret, body, timestamp),
    'x-slack-request-timestamp': String(timestamp),
    'content-type': contentType,
  };
}

export interface SlackHttpResponse {
  status: number;
  /** Parsed JSON when the response is JSON, else the text ('' for a bare ack()). */
  // biome-ignore lint/suspicious/noExplicitAny: a response body is whatever the app acked with.
  body: any;
  headers: IncomingHttpHeaders;
  elapsedMs: number;
}

export interface PostOptions {
  /** Seconds since the epoch to sign with (default now): old or future ones for replay tests. */
  timestamp?: number;
  /** Send this signature instead of the right one. */
  signature?: string;
  /** Send no x-slack-signature / x-slack-request-timestamp at all. */
  unsigned?: boolean;
  /** Extra headers (X-Slack-Retry-Num…); they override the signed ones. */
  headers?: Record<string, string>;
  /** Default '/slack/events'. */
  path?: string;
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
}

/** POSTs a raw body, signed with `secret` (or as options say), to `baseUrl + '/slack/events'`. */
export function postSigned(
  baseUrl: string,
  secret: string,
  body: string,
  contentType: string,
  options: PostOptions = {},
): Promise<SlackHttpResponse> {
  const timestamp = options.timestamp ?? nowSeconds();
  const signed = signSlackRequest(secret, body, timestamp, contentType);
  const headers: Record<string, string> = { 'content-type': contentType };
  if (!options.unsigned) {
    headers['x-slack-request-timestamp'] = signed['x-slack-request-timestamp'];
    headers['x-slack-signature'] = options.signature ?? signed['x-slack-signature'];
  }
  Object.assign(headers, options.headers ?? {});
  headers['content-length'] = String(Buffer.byteLength(body));
  const url = new URL(options.path ?? '/slack/events', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  const started = performance.now();
  return new Promise<SlackHttpResponse>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const isJson = (res.headers['content-type'] ?? '').includes('json');
        let parsed: unknown = text;
        if (isJson && text !== '') {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
        }
        resolve({
          status: res.statusCode ?? 0,
          body: parsed,
          headers: res.headers,
          elapsedMs: performance.now() - started,
        });
      });
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => {
      req.destroy(new Error(`no answer from ${url.href} within ${options.timeoutMs ?? 10_000} ms`));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Payload builders

let seq = 0;
function unique(): number {
  seq += 1;
  return seq;
}

/** A fresh trigger_id shaped like Slack's (`digits.digits.hex`). */
export function triggerId(): string {
  return `${Date.now()}.${1000 + unique()}.${randomBytes(16).toString('hex')}`;
}

/** A fresh `1700000000.123456`-style action/event ts. */
export function eventTs(): string {
  return `${nowSeconds()}.${String(unique() % 1_000_000).padStart(6, '0')}`;
}

export interface Identity {
  team_id?: string;
  team_domain?: string;
  user_id?: string;
  user_name?: string;
  api_app_id?: string;
  /** Enterprise Grid org; absent = a standalone workspace. */
  enterprise_id?: string;
  enterprise_name?: string;
  is_enterprise_install?: boolean;
}

function who(params: Identity) {
  const team_id = params.team_id ?? SLACK_DEFAULTS.team_id;
  const user_id = params.user_id ?? SLACK_DEFAULTS.user_id;
  const user_name = params.user_name ?? SLACK_DEFAULTS.user_name;
  return {
    team: { id: team_id, domain: params.team_domain ?? SLACK_DEFAULTS.team_domain },
    user: { id: user_id, username: user_name, name: user_name, team_id },
    api_app_id: params.api_app_id ?? SLACK_DEFAULTS.api_app_id,
    token: SLACK_DEFAULTS.token,
    enterprise: params.enterprise_id
      ? { id: params.enterprise_id, name: params.enterprise_name ?? `Org ${params.enterprise_id}` }
      : null,
    is_enterprise_install: params.is_enterprise_install ?? false,
  };
}

export interface SlashCommandParams extends Identity {
  channel_id?: string;
  channel_name?: string;
  text?: string;
  /** Default '/invoice'. */
  command?: string;
  trigger_id?: string;
  /** Default UNSET_RESPONSE_URL (connection refused): pass fake.responseUrl(…) to see respond(). */
  response_url?: string;
}

/** The form fields of a slash command, as Slack sends them. */
export function slashCommandBody(params: SlashCommandParams = {}): Record<string, string> {
  const team_id = params.team_id ?? SLACK_DEFAULTS.team_id;
  const body: Record<string, string> = {
    token: SLACK_DEFAULTS.token,
    team_id,
    team_domain: params.team_domain ?? SLACK_DEFAULTS.team_domain,
  };
  if (params.enterprise_id) {
    body.enterprise_id = params.enterprise_id;
    body.enterprise_name = params.enterprise_name ?? `Org ${params.enterprise_id}`;
  }
  Object.assign(body, {
    channel_id: params.channel_id ?? SLACK_DEFAULTS.channel_id,
    channel_name: params.channel_name ?? SLACK_DEFAULTS.channel_name,
    user_id: params.user_id ?? SLACK_DEFAULTS.user_id,
    user_name: params.user_name ?? SLACK_DEFAULTS.user_name,
    command: params.command ?? '/invoice',
    text: params.text ?? '',
    api_app_id: params.api_app_id ?? SLACK_DEFAULTS.api_app_id,
    is_enterprise_install: String(params.is_enterprise_install ?? false),
    response_url: params.response_url ?? UNSET_RESPONSE_URL,
    trigger_id: params.trigger_id ?? triggerId(),
  });
  return body;
}

/** What a block element's state looks like in `view.state.values[block_id][action_id]`. */
export const stateValue = {
  text: (value: string | null) => ({ type: 'plain_text_input', value }),
  number: (value: string | null) => ({ type: 'number_input', value }),
  select: (value: string | null, text: string = value ?? '') => ({
    type: 'static_select',
    selected_option: value === null ? null : { text: { type: 'plain_text', text, emoji: true }, value },
  }),
  external: (value: string | null, text: string = value ?? '') => ({
    type: 'external_select',
    selected_option: value === null ? null : { text: { type: 'plain_text', text, emoji: true }, value },
  }),
  radio: (value: string | null, text: string = value ?? '') => ({
    type: 'radio_buttons',
    selected_option: value === null ? null : { text: { type: 'plain_text', text, emoji: true }, value },
  }),
  checkboxes: (values: string[]) => ({
    type: 'checkboxes',
    selected_options: values.map((value) => ({ text: { type: 'plain_text', text: value, emoji: true }, value })),
  }),
  date: (value: string | null) => ({ type: 'datepicker', selected_date: value }),
  user: (value: string | null) => ({ type: 'users_select', selected_user: value }),
  conversation: (value: string | null) => ({ type: 'conversations_select', selected_conversation: value }),
  channel: (value: string | null) => ({ type: 'channels_select', selected_channel: value }),
};

/** `values[block_id][action_id]`: a string (or null) is shorthand for a plain_text_input's value. */
export type ValuesInput = Record<string, Record<string, Args | string | null>>;

export function stateValues(values: ValuesInput = {}): Record<string, Record<string, Args>> {
  const out: Record<string, Record<string, Args>> = {};
  for (const [blockId, actions] of Object.entries(values)) {
    const block: Record<string, Args> = {};
    for (const [actionId, value] of Object.entries(actions)) {
      block[actionId] = typeof value === 'string' || value === null ? stateValue.text(value) : value;
    }
    out[blockId] = block;
  }
  return out;
}

export interface ViewParams {
  view_id?: string;
  /** Default 'modal'. */
  view_type?: 'modal' | 'home';
  callback_id?: string;
  private_metadata?: string;
  values?: ValuesInput;
  blocks?: unknown[];
  title?: string;
  hash?: string;
  external_id?: string;
  team_id?: string;
  previous_view_id?: string | null;
  root_view_id?: string;
}

/** A view object as Slack puts it in payloads. */
export function viewObject(params: ViewParams = {}): Args {
  const id = params.view_id ?? `V${String(unique()).padStart(10, '0')}`;
  const type = params.view_type ?? 'modal';
  const view: Args = {
    id,
    team_id: params.team_id ?? SLACK_DEFAULTS.team_id,
    type,
    blocks: params.blocks ?? [],
    private_metadata: params.private_metadata ?? '',
    callback_id: params.callback_id ?? '',
    state: { values: stateValues(params.values) },
    hash: params.hash ?? `${nowSeconds()}.${randomBytes(4).toString('hex')}`,
    clear_on_close: false,
    notify_on_close: false,
    close: type === 'modal' ? { type: 'plain_text', text: 'Cancel', emoji: true } : null,
    submit: type === 'modal' ? { type: 'plain_text', text: 'Save', emoji: true } : null,
    previous_view_id: params.previous_view_id ?? null,
    root_view_id: params.root_view_id ?? id,
    app_id: SLACK_DEFAULTS.api_app_id,
    external_id: params.external_id ?? '',
    app_installed_team_id: params.team_id ?? SLACK_DEFAULTS.team_id,
    bot_id: SLACK_DEFAULTS.bot_id,
  };
  if (type === 'modal') view.title = { type: 'plain_text', text: params.title ?? 'Invoice', emoji: true };
  return view;
}

export interface BlockActionParams extends Identity {
  action_id: string;
  block_id?: string;
  value?: string;
  /** Element type (default 'button'). */
  element?: string;
  selected_option?: { value: string; text?: string };
  /** Extra fields merged into the action (selected_date, selected_user…). */
  action?: Args;
  /** Where the button was: a message (default) … */
  channel_id?: string;
  channel_name?: string;
  message_ts?: string;
  message?: Args;
  is_ephemeral?: boolean;
  /** … or a view (modal or App Home): pass a viewObject(). Then there is no channel, message nor response_url. */
  view?: Args;
  response_url?: string;
  trigger_id?: string;
}

export function blockActionPayload(params: BlockActionParams): Args {
  const base = who(params);
  const action: Args = {
    action_id: params.action_id,
    block_id: params.block_id ?? params.action_id,
    type: params.element ?? 'button',
    action_ts: eventTs(),
  };
  if (action.type === 'button') action.text = { type: 'plain_text', text: 'Button', emoji: true };
  if (params.value !== undefined) action.value = params.value;
  if (params.selected_option) {
    const { value, text } = params.selected_option;
    action.selected_option = { text: { type: 'plain_text', text: text ?? value, emoji: true }, value };
  }
  Object.assign(action, params.action ?? {});
  const payload: Args = { type: 'block_actions', ...base, trigger_id: params.trigger_id ?? triggerId() };
  if (params.view) {
    payload.container = { type: 'view', view_id: params.view.id };
    payload.view = params.view;
    payload.state = params.view.state ?? { values: {} };
  } else {
    const channelId = params.channel_id ?? SLACK_DEFAULTS.channel_id;
    const messageTs = params.message_ts ?? params.message?.ts ?? '1700000000.000100';
    payload.container = {
      type: 'message',
      message_ts: messageTs,
      channel_id: channelId,
      is_ephemeral: params.is_ephemeral ?? false,
    };
    payload.channel = { id: channelId, name: params.channel_name ?? SLACK_DEFAULTS.channel_name };
    payload.message = params.message ?? {
      type: 'message',
      subtype: 'bot_message',
      text: 'message',
      ts: messageTs,
      bot_id: SLACK_DEFAULTS.bot_id,
      blocks: [],
    };
    payload.state = { values: {} };
    payload.response_url = params.response_url ?? UNSET_RESPONSE_URL;
  }
  payload.actions = [action];
  return payload;
}

export interface ViewSubmissionParams extends Identity, ViewParams {
  /** Extra fields merged into the view (after the defaults). */
  view?: Args;
  trigger_id?: string;
  /** For modals with response_url_enabled inputs. */
  response_urls?: { block_id: string; action_id: string; channel_id: string; response_url: string }[];
}

export function viewSubmissionPayload(params: ViewSubmissionParams = {}): Args {
  return {
    type: 'view_submission',
    ...who(params),
    trigger_id: params.trigger_id ?? triggerId(),
    view: { ...viewObject(params), ...(params.view ?? {}) },
    response_urls: params.response_urls ?? [],
  };
}

export function viewClosedPayload(params: ViewSubmissionParams = {}): Args {
  return {
    type: 'view_closed',
    ...who(params),
    view: { ...viewObject(params), ...(params.view ?? {}) },
    is_cleared: false,
  };
}

export interface BlockSuggestionParams extends Identity {
  action_id: string;
  block_id?: string;
  /** What the user typed. */
  value?: string;
  /** The modal the menu is in (default: a fresh modal view). */
  view?: Args;
}

export function blockSuggestionPayload(params: BlockSuggestionParams): Args {
  const view = params.view ?? viewObject({});
  return {
    type: 'block_suggestion',
    ...who(params),
    container: { type: 'view', view_id: view.id },
    action_id: params.action_id,
    block_id: params.block_id ?? params.action_id,
    value: params.value ?? '',
    view,
  };
}

export interface EventCallbackParams {
  team_id?: string;
  enterprise_id?: string;
  is_enterprise_install?: boolean;
  api_app_id?: string;
  /** The inner event: { type: 'app_home_opened', user, … }. */
  event: Args;
  event_id?: string;
  event_time?: number;
}

/** The JSON body of an Events API delivery. */
export function eventCallbackBody(params: EventCallbackParams): Args {
  const team_id = params.team_id ?? SLACK_DEFAULTS.team_id;
  const body: Args = {
    token: SLACK_DEFAULTS.token,
    team_id,
    enterprise_id: params.enterprise_id,
    api_app_id: params.api_app_id ?? SLACK_DEFAULTS.api_app_id,
    event: { event_ts: eventTs(), ...params.event },
    type: 'event_callback',
    event_id: params.event_id ?? `Ev${String(unique()).padStart(9, '0')}`,
    event_time: params.event_time ?? nowSeconds(),
    authorizations: [
      {
        enterprise_id: params.enterprise_id ?? null,
        team_id,
        user_id: SLACK_DEFAULTS.bot_user_id,
        is_bot: true,
        is_enterprise_install: params.is_enterprise_install ?? false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomBytes(12).toString('base64url')}`,
  };
  if (body.enterprise_id === undefined) delete body.enterprise_id;
  return body;
}

export function appHomeOpenedEvent(params: { user_id?: string; channel_id?: string; view?: Args } = {}): Args {
  const event: Args = {
    type: 'app_home_opened',
    user: params.user_id ?? SLACK_DEFAULTS.user_id,
    channel: params.channel_id ?? 'D0HOME',
    tab: 'home',
    event_ts: eventTs(),
  };
  if (params.view) event.view = params.view;
  return event;
}

// ---------------------------------------------------------------------------------------------------------------
// Senders

export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** `payload=<json>`, form-encoded, the way Slack sends interactivity. */
export function postPayload(
  baseUrl: string,
  secret: string,
  payload: Args,
  options?: PostOptions,
): Promise<SlackHttpResponse> {
  return postSigned(baseUrl, secret, formBody({ payload: JSON.stringify(payload) }), FORM, options);
}

export function slashCommand(
  baseUrl: string,
  secret: string,
  params: SlashCommandParams = {},
  options?: PostOptions,
): Promise<SlackHttpResponse> {
  return postSigned(baseUrl, secret, formBody(slashCommandBody(params)), FORM, options);
}

/** A full payload (with `type`) is sent as is; anything else is given to blockActionPayload first. */
export function blockAction(
  baseUrl: string,
  secret: string,
  payload: Args | BlockActionParams,
  options?: PostOptions,
): Promise<SlackHttpResponse> {
  const full =
    'type' in payload && payload.type === 'block_actions' ? payload : blockActionPayload(payload as BlockActionParams);
  return postPayload(baseUrl, secret, full, options);
}

export function viewSubmission(
  baseUrl: string,
  secret: string,
  payload: Args | ViewSubmissionParams,
  options?: PostOptions,
): Promise<SlackHttpResponse> {
  const full =
    'type' in payload && payload.type === 'view_submission'
      ? payload
      : viewSubmissionPayload(payload as ViewSubmissionParams);
  return postPayload(baseUrl, secret, full, options);
}

export function viewClosed(
  baseUrl: string,
  secret: string,
  payload: Args | ViewSubmissionParams,
  options?: PostOptions,
): Promise<SlackHttpResponse> {
  const full =
    'type' in payload && payload.type === 'view_closed' ? payload : viewClosedPayload(payload as ViewSubmissionParams);
  return postPayload(baseUrl, secret, full, options);
}

export function blockSuggestion(
  baseUrl: string,
  secret: string,
  payload: Args | BlockSuggestionParams,
  options?: PostOptions,
): Promise<SlackHttpResponse> {
  const full =
    'type' in payload && payload.type === 'block_suggestion'
      ? payload
      : blockSuggestionPayload(payload as BlockSuggestionParams);
  return postPayload(baseUrl, secret, full, options);
}

export interface EventDeliveryParams extends EventCallbackParams {
  /** X-Slack-Retry-Num (1, 2, 3 on redeliveries). */
  retryNum?: number;
  /** X-Slack-Retry-Reason ('http_timeout', 'http_error', …). */
  retryReason?: string;
  headers?: Record<string, string>;
}

export function eventCallback(
  baseUrl: string,
  secret: string,
  params: EventDeliveryParams,
  options: PostOptions = {},
): Promise<SlackHttpResponse> {
  const headers: Record<string, string> = {};
  if (params.retryNum !== undefined) headers['x-slack-retry-num'] = String(params.retryNum);
  if (params.retryReason !== undefined) headers['x-slack-retry-reason'] = params.retryReason;
  Object.assign(headers, params.headers ?? {}, options.headers ?? {});
  return postSigned(baseUrl, secret, JSON.stringify(eventCallbackBody(params)), JSON_TYPE, { ...options, headers });
}

// ---------------------------------------------------------------------------------------------------------------
// Bound client

export interface SlackClient {
  readonly baseUrl: string;
  slashCommand(params?: SlashCommandParams, options?: PostOptions): Promise<SlackHttpResponse>;
  blockAction(params: BlockActionParams, options?: PostOptions): Promise<SlackHttpResponse>;
  viewSubmission(params?: ViewSubmissionParams, options?: PostOptions): Promise<SlackHttpResponse>;
  viewClosed(params?: ViewSubmissionParams, options?: PostOptions): Promise<SlackHttpResponse>;
  blockSuggestion(params: BlockSuggestionParams, options?: PostOptions): Promise<SlackHttpResponse>;
  eventCallback(params: EventDeliveryParams, options?: PostOptions): Promise<SlackHttpResponse>;
  /** Any payload, form-encoded as `payload=`. */
  payload(payload: Args, options?: PostOptions): Promise<SlackHttpResponse>;
  postSigned(body: string, contentType: string, options?: PostOptions): Promise<SlackHttpResponse>;
}

/**
 * The senders bound to one app and one identity. With `fake`, commands and message actions get a response_url
 * on the fake (a fresh one each time) unless the params give one.
 */
export function slackClient(
  baseUrl: string,
  secret: string,
  defaults: Identity & { fake?: FakeSlack } = {},
): SlackClient {
  const { fake, ...identity } = defaults;
  const responseUrl = (given: string | undefined): string | undefined => given ?? fake?.responseUrl();
  return {
    baseUrl,
    slashCommand: (params = {}, options) =>
      slashCommand(
        baseUrl,
        secret,
        { ...identity, ...params, response_url: responseUrl(params.response_url) ?? UNSET_RESPONSE_URL },
        options,
      ),
    blockAction: (params, options) => {
      const merged: BlockActionParams = { ...identity, ...params };
      if (!params.view) merged.response_url = responseUrl(params.response_url) ?? UNSET_RESPONSE_URL;
      return postPayload(baseUrl, secret, blockActionPayload(merged), options);
    },
    viewSubmission: (params = {}, options) =>
      postPayload(baseUrl, secret, viewSubmissionPayload({ ...identity, ...params }), options),
    viewClosed: (params = {}, options) =>
      postPayload(baseUrl, secret, viewClosedPayload({ ...identity, ...params }), options),
    blockSuggestion: (params, options) =>
      postPayload(baseUrl, secret, blockSuggestionPayload({ ...identity, ...params }), options),
    eventCallback: (params, options) =>
      eventCallback(
        baseUrl,
        secret,
        {
          ...params,
          team_id: params.team_id ?? identity.team_id,
          enterprise_id: params.enterprise_id ?? identity.enterprise_id,
        },
        options,
      ),
    payload: (payload, options) => postPayload(baseUrl, secret, payload, options),
    postSigned: (body, contentType, options) => postSigned(baseUrl, secret, body, contentType, options),
  };
}
