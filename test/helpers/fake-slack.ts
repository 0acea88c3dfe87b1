// A local fake of the Slack Web API (and of response_urls), for end-to-end tests of the Bolt app without Slack.
//
//   const fake = await startFakeSlack();
//   new App({ ..., clientOptions: { slackApiUrl: fake.apiUrl } });
//   const call = await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'C1');
//
// It records every call ({ method, args, token, at }), answers like Slack does (including Slack's own errors for
// bad arguments: no_text, invalid_blocks, expired_trigger_id, hash_conflict, message_not_found, not_authed…),
// keeps the messages the app posted per channel (conversations.history returns them) and can script failures
// (429 with Retry-After, an `ok: false` error, a slow answer, no answer at all).
//
// Workspaces and tokens: every call is checked against the token it carries. By default any xox… token is taken as
// the default workspace's (as one bot token is). With `strictTokens` only tokens the fake knows work — those given in
// `tokens`, added with addToken(), or issued by its oauth.v2.access — each belonging to one workspace (Call.team);
// an unknown one is `invalid_auth`, a revoked one `token_revoked`. approveInstall() plays the person who approves an
// install on Slack's consent screen and gives the code the app exchanges (oauth.v2.access, with `oauth` credentials);
// with rotation the exchange gives a refresh token too, and grant_type=refresh_token spends it once. revokeTeam()
// revokes every token of a workspace, as an uninstall does.
//
// Files: addFile() puts a file a person uploaded (a modal's file_input) where files.info finds it, its
// url_private_download serving the bytes only to a bot token; files.uploadV2 (getUploadURLExternal, the upload,
// completeUploadExternal) keeps what the app uploaded (file(id)) and shares it as a message in channel_id.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BOT_SCOPES } from '../../src/slack/install/scopes.js';

/** Arguments as Slack received them. Form fields stay strings ('true', '10'); JSON fields (blocks, view…) are parsed. */
// biome-ignore lint/suspicious/noExplicitAny: recorded Slack arguments are free-form JSON that tests index into.
export type Args = Record<string, any>;

export interface Call {
  /** Web API method ('chat.postMessage'), 'response_url' for a POST to a response_url, 'file_upload' for upload bytes. */
  method: string;
  /** The arguments, without `token`. For 'response_url': the JSON body. */
  args: Args;
  /** From `Authorization: Bearer …` (or a `token` argument). */
  token: string | undefined;
  /** Date.now() when the request arrived. */
  at: number;
  /** For 'response_url' and 'file_upload': the id in the URL. */
  id?: string;
  /** The scripted failure applied to this call, if any. */
  failure?: Failure;
  /** The JSON the fake answered (set when the answer is computed; absent for scripted HTTP errors). */
  response?: Args;
  /** The workspace the token belongs to (undefined for a token the fake does not know, or none). */
  team?: string;
}

/** A workspace the fake knows: its bot's ids and, in an Enterprise Grid organisation, the organisation. */
export interface FakeWorkspace {
  teamId: string;
  teamName?: string;
  botUserId?: string;
  botId?: string;
  enterpriseId?: string;
}

/** A person approving an install on Slack's consent screen. */
export interface InstallApproval {
  teamId: string;
  /** The installer. */
  userId: string;
  /** An organisation-wide (Enterprise Grid) install: the answer has no team, only the enterprise. */
  orgWide?: boolean;
  /** Token rotation on: the access token expires after this many seconds and a refresh token comes with it. */
  rotation?: { expiresIn: number };
  /** The scopes granted (default: the fake's usual bot scopes). */
  scopes?: string[];
}

interface TokenRecord {
  token: string;
  teamId: string;
  kind: 'bot' | 'refresh';
  revoked: boolean;
}

/**
 * A scripted failure for the next call(s) of a method:
 * - `{ status: 429, retryAfter: 1 }`: an HTTP error (with `Retry-After` seconds when given), nothing happens;
 * - `{ error: 'channel_not_found' }`: HTTP 200 `{ ok: false, error }` (plus `extra` fields), nothing happens;
 * - `{ delayMs: 5000 }`: the call takes effect at once (the message is posted) but the answer comes late;
 * - `{ hang: true }`: no answer until the fake closes; the call takes effect unless `apply: false`.
 */
export type Failure =
  | { status: number; retryAfter?: number; body?: string }
  | { error: string; extra?: Args }
  | { delayMs: number }
  | { hang: true; apply?: boolean };

export interface SlackUser {
  id: string;
  team_id: string;
  name: string;
  real_name: string;
  tz: string;
  tz_label: string;
  tz_offset: number;
  is_bot: boolean;
  deleted: boolean;
  is_admin: boolean;
  profile: { real_name: string; display_name: string; email?: string };
}

/** A message as conversations.history returns it. */
export interface StoredMessage {
  type: 'message';
  ts: string;
  text: string;
  user: string;
  bot_id: string;
  app_id: string;
  team: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: { event_type: string; event_payload: Args };
  thread_ts?: string;
  edited?: { user: string; ts: string };
  /** Files shared with the message (files.completeUploadExternal with a channel_id). */
  files?: Args[];
  upload?: boolean;
}

/** A file the fake holds: one a person uploaded (addFile) or one the app uploaded (files.uploadV2). */
export interface FakeFile {
  id: string;
  name: string;
  title: string;
  filetype: string;
  mimetype: string;
  /** Who uploaded it: a person, or the bot user. */
  user: string;
  /** The bytes: addFile's content, or what the app sent to the upload URL (undefined until then). */
  bytes: Buffer | undefined;
  /** Channels it was shared to by files.completeUploadExternal. */
  channels: string[];
  /** files.completeUploadExternal was called for it. */
  completed: boolean;
  created: number;
}

export interface FakeSlackOptions {
  teamId?: string;
  teamDomain?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /** Users known to users.info; unknown ids get a generated user in `defaultTz`. */
  users?: Record<string, Partial<Omit<SlackUser, 'id'>>>;
  /** Time zone of generated users (default 'UTC'). */
  defaultTz?: string;
  /** users.info for an id not in `users` answers user_not_found instead of a generated user. */
  onlyKnownUsers?: boolean;
  /** Usergroup id → member user ids, for usergroups.users.list. */
  usergroups?: Record<string, string[]>;
  /** Require a token like Slack does (xox… for Web API methods, xapp-… for apps.connections.open). Default true. */
  checkTokens?: boolean;
  /** Print every call to stderr. */
  log?: boolean;
  /** Accept only tokens the fake knows (given, added or issued), each belonging to its workspace. Default false. */
  strictTokens?: boolean;
  /** Tokens the fake knows from the start: token → team id. */
  tokens?: Record<string, string>;
  /** The app's OAuth credentials oauth.v2.access checks. */
  oauth?: { clientId: string; clientSecret: string };
}

export type MethodHandler = (args: Args, call: Call) => Args | Promise<Args>;

export interface FakeSocketLike {
  url: string;
}

export interface FakeSlack {
  /** `http://127.0.0.1:PORT/api/`: Bolt `clientOptions.slackApiUrl`, or SLACK_API_URL. */
  readonly apiUrl: string;
  /** `http://127.0.0.1:PORT` */
  readonly baseUrl: string;
  readonly port: number;
  /** A response_url served by the fake: POSTs to it are recorded as method 'response_url' with `id`. */
  responseUrl(id?: string): string;
  /** Make the next `times` calls of `method` ('*' = any method, including 'response_url') fail as scripted. */
  failNext(method: string, failure: Failure, times?: number): void;
  /**
   * Slow Slack down: every later call of `method` ('*' = any Web API method) takes effect at once (as with
   * `{ delayMs }`) but its answer waits for `delay(call)`: a number is milliseconds of real time; a promise holds
   * the answer until it settles — advance an injected clock by what Slack "took" and answer at once, or keep the
   * call hanging until the test lets it go. A scripted failure of the call wins. `undefined` removes it.
   */
  delay(method: string, delay: ((call: Call) => number | Promise<unknown>) | undefined): void;
  /** Replace the fake's answer for a method (the failure scripting and the recording still apply). */
  on(method: string, handler: MethodHandler | undefined): void;
  /** Every call so far (since the last reset), oldest first; only those of `method` when given. */
  calls(method?: string): Call[];
  last(method: string): Call | undefined;
  /**
   * Resolves with the first call of `method` (already recorded or still to come) that matches `predicate`.
   * Rejects after `timeoutMs` with the list of calls seen so far.
   */
  waitFor(method: string, predicate?: (call: Call) => boolean, timeoutMs?: number): Promise<Call>;
  /** Resolves once `count` calls of `method` (matching `predicate`) have been recorded, with those calls. */
  waitForCount(method: string, count: number, predicate?: (call: Call) => boolean, timeoutMs?: number): Promise<Call[]>;
  /** The messages currently in a channel (after updates and deletes), oldest first. */
  messages(channel: string): StoredMessage[];
  setUser(id: string, user: Partial<Omit<SlackUser, 'id'>>): void;
  setUsergroup(id: string, userIds: string[]): void;
  /** apps.connections.open answers with this socket's url (ok: false, 'fake_slack_has_no_socket_attached' when none). */
  attachSocket(socket: FakeSocketLike | undefined): void;
  /**
   * A file a person uploaded (as a modal's file_input does): files.info knows it, and its url_private_download
   * serves `content` to a bot token. Returns the file object as Slack puts it in view.state.values.
   */
  addFile(file: { name: string; content: string | Buffer; user?: string; filetype?: string; title?: string }): Args;
  /** A file by id, with its bytes: one from addFile or one the app uploaded. */
  file(id: string): FakeFile | undefined;
  /** A workspace the fake knows (for auth.test and the installs): its team id, name, bot ids, organisation. */
  addWorkspace(workspace: FakeWorkspace): void;
  /** A bot token the fake accepts, belonging to `teamId`. */
  addToken(token: string, teamId: string): void;
  /** The workspace a token belongs to (undefined when the fake does not know it). */
  teamOf(token: string | undefined): string | undefined;
  /** A person approves an install on Slack's consent screen: the single-use code Slack sends back to the app. */
  approveInstall(approval: InstallApproval): string;
  /** Every token of the workspace is revoked (the app was uninstalled there). */
  revokeTeam(teamId: string): void;
  /** The bot tokens issued (or added) for a workspace, oldest first, revoked ones included. */
  tokensOf(teamId: string): string[];
  /** Forget calls, scripted failures, custom handlers, messages, views, used trigger ids and response_url uses. */
  reset(): void;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set([
  'blocks',
  'attachments',
  'view',
  'metadata',
  'options',
  'option_groups',
  'files',
  'unfurls',
  'user_auth_blocks',
  'dialog',
  'outputs',
  'inputs',
  'chunks',
]);

/** Methods that need no token (OAuth exchanges). */
const TOKENLESS = new Set(['oauth.v2.access', 'oauth.access', 'oauth.v2.exchange', 'api.test']);

const RESPONSE_URL_MAX_USES = 5;

/** What Slack answers a file URL fetched without a token it accepts: its sign-in page, with HTTP 200. */
const SIGN_IN_PAGE = '<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>';

/** Slack's error for arguments it rejects, with the messages web-api logs. */
function invalidArguments(...messages: string[]): Args {
  return {
    ok: false,
    error: 'invalid_arguments',
    response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) },
  };
}

function tzOffsetSeconds(tz: string, at = new Date()): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 1000);
}

function tzLabel(tz: string): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'long' })
    .formatToParts(new Date())
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? tz;
}

function short(value: unknown, max = 160): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function describeCalls(calls: readonly Call[]): string {
  if (calls.length === 0) return '  (no calls)';
  return calls.map((c) => `  ${c.method}${c.id ? `[${c.id}]` : ''} ${short(c.args)}`).join('\n');
}

function isStatusFailure(f: Failure): f is { status: number; retryAfter?: number; body?: string } {
  return 'status' in f;
}

function isErrorFailure(f: Failure): f is { error: string; extra?: Args } {
  return 'error' in f;
}

interface ViewRecord {
  view: Args;
  userId: string | undefined;
}

interface Waiter {
  method: string;
  count: number;
  predicate: ((call: Call) => boolean) | undefined;
  resolve: (calls: Call[]) => void;
  timer: NodeJS.Timeout;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseArgs(req: IncomingMessage, raw: Buffer, url: URL): Promise<Args> {
  const args: Args = {};
  for (const [k, v] of url.searchParams) args[k] = v;
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (raw.length > 0) {
    if (contentType.includes('application/json')) {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(args, parsed);
    } else if (contentType.includes('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
      for (const [k, v] of form) {
        if (typeof v === 'string') args[k] = v;
        else args[k] = { filename: v.name, size: v.size, type: v.type, bytes: Buffer.from(await v.arrayBuffer()) };
      }
    } else {
      for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) args[k] = v;
    }
  }
  for (const key of Object.keys(args)) {
    const value = args[key];
    if (JSON_FIELDS.has(key) && typeof value === 'string') {
      try {
        args[key] = JSON.parse(value);
      } catch {
        // leave it as Slack would see it: a string it cannot parse
      }
    }
  }
  return args;
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1];
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const teamId = options.teamId ?? 'T0TEAM';
  const teamDomain = options.teamDomain ?? 'acme';
  const botUserId = options.botUserId ?? 'U0BOT';
  const botId = options.botId ?? 'B0BOT';
  const appId = options.appId ?? 'A0APP';
  const defaultTz = options.defaultTz ?? 'UTC';
  const checkTokens = options.checkTokens ?? true;
  const strictTokens = options.strictTokens ?? false;
  const workspaces = new Map<string, FakeWorkspace>([[teamId, { teamId, teamName: 'Acme', botUserId, botId }]]);
  const tokens = new Map<string, TokenRecord>();
  for (const [token, team] of Object.entries(options.tokens ?? {})) {
    tokens.set(token, { token, teamId: team, kind: 'bot', revoked: false });
  }
  const codes = new Map<string, InstallApproval & { used: boolean }>();
  let tokenSeq = 0;

  let calls: Call[] = [];
  let failures = new Map<string, { failure: Failure; remaining: number }[]>();
  let handlers = new Map<string, MethodHandler>();
  let delays = new Map<string, (call: Call) => number | Promise<unknown>>();
  let channels = new Map<string, StoredMessage[]>();
  let views = new Map<string, ViewRecord>();
  let homeViews = new Map<string, string>();
  let usedTriggers = new Set<string>();
  let responseUrlUses = new Map<string, number>();
  let fileStore = new Map<string, FakeFile>();
  const users = new Map<string, Partial<Omit<SlackUser, 'id'>>>(Object.entries(options.users ?? {}));
  const usergroups = new Map<string, string[]>(Object.entries(options.usergroups ?? {}));
  let socket: FakeSocketLike | undefined;
  let waiters: Waiter[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const hanging = new Set<ServerResponse>();

  // Monotonic across reset(), so a ts is never reused: 1700000000.000100, 1700000000.000200, …
  let tsSeq = 0;
  const nextTs = (): string => {
    tsSeq += 1;
    const micros = 1_700_000_000_000_000 + tsSeq * 100;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  };
  let idSeq = 0;
  const nextId = (prefix: string): string => {
    idSeq += 1;
    return `${prefix}0FAKE${String(idSeq).padStart(5, '0')}`;
  };
  const newHash = (): string => `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;

  function takeFailure(method: string): Failure | undefined {
    for (const key of [method, '*']) {
      const queue = failures.get(key);
      const head = queue?.[0];
      if (queue && head) {
        head.remaining -= 1;
        if (head.remaining <= 0) queue.shift();
        return head.failure;
      }
    }
    return undefined;
  }

  function record(call: Call): void {
    calls.push(call);
    if (options.log) process.stderr.write(`[fake-slack] ${call.method} ${short(call.args, 300)}\n`);
    for (const waiter of [...waiters]) {
      const matching = calls.filter((c) => c.method === waiter.method && (!waiter.predicate || waiter.predicate(c)));
      if (matching.length >= waiter.count) {
        clearTimeout(waiter.timer);
        waiters = waiters.filter((w) => w !== waiter);
        waiter.resolve(matching.slice(0, waiter.count));
      }
    }
  }

  function userInfo(id: string): SlackUser | undefined {
    const known = users.get(id);
    if (!known && options.onlyKnownUsers) return undefined;
    const tz = known?.tz ?? defaultTz;
    const name = known?.name ?? id.toLowerCase();
    const realName = known?.real_name ?? `User ${id}`;
    return {
      id,
      team_id: known?.team_id ?? teamId,
      name,
      real_name: realName,
      tz,
      tz_label: known?.tz_label ?? tzLabel(tz),
      tz_offset: known?.tz_offset ?? tzOffsetSeconds(tz),
      is_bot: known?.is_bot ?? false,
      deleted: known?.deleted ?? false,
      is_admin: known?.is_admin ?? false,
      profile: known?.profile ?? { real_name: realName, display_name: name },
    };
  }

  function validateView(view: unknown, home: boolean): Args | undefined {
    if (!view || typeof view !== 'object') return invalidArguments('missing required field: view');
    const v = view as Args;
    const problems: string[] = [];
    const blocks: unknown = v.blocks;
    if (!Array.isArray(blocks)) problems.push('missing required field: blocks');
    else if (blocks.length > 100)
      problems.push('must provide an array with no more than 100 items [json-pointer:/view/blocks]');
    if (home) {
      if (v.type !== 'home') problems.push('must be "home" [json-pointer:/view/type]');
    } else {
      if (v.type !== 'modal') problems.push('must be "modal" [json-pointer:/view/type]');
      const title: unknown = v.title?.text;
      if (typeof title !== 'string') problems.push('missing required field: title [json-pointer:/view/title]');
      else if (title.length > 24) problems.push('must be less than 25 characters [json-pointer:/view/title/text]');
    }
    if (typeof v.private_metadata === 'string' && v.private_metadata.length > 3000) {
      problems.push('must be less than 3001 characters [json-pointer:/view/private_metadata]');
    }
    if (typeof v.callback_id === 'string' && v.callback_id.length > 255) {
      problems.push('must be less than 256 characters [json-pointer:/view/callback_id]');
    }
    return problems.length > 0 ? invalidArguments(...problems) : undefined;
  }

  function storeView(view: Args, userId: string | undefined, previous?: Args): Args {
    const id = previous?.id ?? nextId('V');
    const stored: Args = {
      team_id: teamId,
      type: view.type,
      blocks: [],
      private_metadata: '',
      callback_id: '',
      state: { values: {} },
      clear_on_close: view.clear_on_close ?? false,
      notify_on_close: view.notify_on_close ?? false,
      close: view.close ?? null,
      submit: view.submit ?? null,
      previous_view_id: null,
      root_view_id: previous?.root_view_id ?? id,
      app_id: appId,
      external_id: view.external_id ?? previous?.external_id ?? '',
      app_installed_team_id: teamId,
      bot_id: botId,
      ...view,
      // What Slack sets, whatever the app sent:
      id,
      hash: newHash(),
    };
    views.set(id, { view: stored, userId });
    return stored;
  }

  function findView(args: Args): ViewRecord | undefined {
    if (typeof args.view_id === 'string') return views.get(args.view_id);
    if (typeof args.external_id === 'string') {
      for (const record of views.values()) if (record.view.external_id === args.external_id) return record;
    }
    return undefined;
  }

  function mimetypeOf(filetype: string): string {
    return filetype === 'csv' ? 'text/csv' : filetype === 'text' ? 'text/plain' : 'application/octet-stream';
  }

  function newFile(p: { name: string; title?: string; filetype?: string; user: string; bytes?: Buffer }): FakeFile {
    const extension = /\.([a-z0-9]+)$/i.exec(p.name)?.[1]?.toLowerCase();
    const filetype = p.filetype ?? (extension === 'txt' ? 'text' : (extension ?? 'binary'));
    const file: FakeFile = {
      id: nextId('F'),
      name: p.name,
      title: p.title ?? p.name,
      filetype,
      mimetype: mimetypeOf(filetype),
      user: p.user,
      bytes: p.bytes,
      channels: [],
      completed: false,
      created: Math.floor(Date.now() / 1000),
    };
    fileStore.set(file.id, file);
    return file;
  }

  /** A file as Slack's API shows it (files.info, view.state.values, a message's files). */
  function fileObject(f: FakeFile): Args {
    const path = `${baseUrl}/files-pri/${teamId}-${f.id}`;
    const name = encodeURIComponent(f.name);
    return {
      id: f.id,
      created: f.created,
      timestamp: f.created,
      name: f.name,
      title: f.title,
      mimetype: f.mimetype,
      filetype: f.filetype,
      pretty_type: f.filetype.toUpperCase(),
      user: f.user,
      user_team: teamId,
      editable: false,
      size: f.bytes?.length ?? 0,
      mode: 'hosted',
      is_external: false,
      external_type: '',
      is_public: false,
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: `${path}/${name}`,
      url_private_download: `${path}/download/${name}`,
      permalink: `https://${teamDomain}.slack.com/files/${f.user}/${f.id}/${name}`,
      channels: f.channels.filter((c) => c.startsWith('C')),
      groups: f.channels.filter((c) => c.startsWith('G')),
      ims: f.channels.filter((c) => c.startsWith('D')),
      comments_count: 0,
    };
  }

  function messageFor(args: Args, ts: string): StoredMessage {
    const message: StoredMessage = {
      type: 'message',
      ts,
      text: typeof args.text === 'string' ? args.text : '',
      user: botUserId,
      bot_id: botId,
      app_id: appId,
      team: teamId,
    };
    if (Array.isArray(args.blocks)) message.blocks = args.blocks;
    if (Array.isArray(args.attachments)) message.attachments = args.attachments;
    if (args.metadata && typeof args.metadata === 'object') message.metadata = args.metadata;
    if (typeof args.thread_ts === 'string') message.thread_ts = args.thread_ts;
    return message;
  }

  function checkMessageContent(args: Args): Args | undefined {
    const hasText = typeof args.text === 'string' && args.text.length > 0;
    const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
    const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
    if (args.blocks !== undefined && !Array.isArray(args.blocks)) return { ok: false, error: 'invalid_blocks_format' };
    if (Array.isArray(args.blocks) && args.blocks.length > 50) {
      return {
        ok: false,
        error: 'invalid_blocks',
        errors: ['must provide an array with no more than 50 items [json-pointer:/blocks]'],
      };
    }
    if (!hasText && !hasBlocks && !hasAttachments) return { ok: false, error: 'no_text' };
    if (args.metadata !== undefined) {
      const m = args.metadata;
      if (!m || typeof m !== 'object' || typeof m.event_type !== 'string' || typeof m.event_payload !== 'object') {
        return { ok: false, error: 'invalid_metadata_format' };
      }
    }
    return undefined;
  }

  function teamOfToken(token: string | undefined): string | undefined {
    if (!token) return undefined;
    const known = tokens.get(token);
    if (known) return known.teamId;
    return !strictTokens && token.startsWith('xox') ? teamId : undefined;
  }

  function issue(team: string, kind: 'bot' | 'refresh'): string {
    tokenSeq += 1;
    const token = kind === 'bot' ? `xoxb-${team}-${tokenSeq}` : `xoxe-1-${team}-${tokenSeq}`;
    tokens.set(token, { token, teamId: team, kind, revoked: false });
    return token;
  }

  // What the app asks for (src/slack/install/scopes.ts): the fake grants it unless a test says otherwise.
  const DEFAULT_SCOPES: readonly string[] = BOT_SCOPES;

  /** Each workspace's token lifetime with rotation on (seconds), as its install set it. */
  const codesRotation = new Map<string, number>();

  function oauthAccess(args: Args): Args {
    if (!options.oauth || args.client_id !== options.oauth.clientId) return { ok: false, error: 'invalid_client_id' };
    if (args.client_secret !== options.oauth.clientSecret) return { ok: false, error: 'bad_client_secret' };
    if (args.grant_type === 'refresh_token') {
      const old = tokens.get(String(args.refresh_token));
      if (old?.kind !== 'refresh' || old.revoked) return { ok: false, error: 'invalid_refresh_token' };
      // Slack revokes the refresh token once spent; the access token it refreshed works until it expires.
      old.revoked = true;
      return {
        ok: true,
        access_token: issue(old.teamId, 'bot'),
        refresh_token: issue(old.teamId, 'refresh'),
        expires_in: codesRotation.get(old.teamId) ?? 43_200,
        token_type: 'bot',
        team: { id: old.teamId, name: workspaces.get(old.teamId)?.teamName ?? old.teamId },
      };
    }
    const approval = codes.get(String(args.code));
    if (!approval) return { ok: false, error: 'invalid_code' };
    if (approval.used) return { ok: false, error: 'code_already_used' };
    approval.used = true;
    const ws = workspaces.get(approval.teamId) ?? { teamId: approval.teamId };
    const enterprise = ws.enterpriseId ? { id: ws.enterpriseId, name: `Org ${ws.enterpriseId}` } : null;
    const token = issue(approval.teamId, 'bot');
    const answer: Args = {
      ok: true,
      app_id: appId,
      authed_user: { id: approval.userId },
      scope: (approval.scopes ?? DEFAULT_SCOPES).join(','),
      token_type: 'bot',
      access_token: token,
      bot_user_id: ws.botUserId ?? botUserId,
      team: approval.orgWide ? null : { id: ws.teamId, name: ws.teamName ?? ws.teamId },
      enterprise,
      is_enterprise_install: approval.orgWide ?? false,
    };
    if (approval.rotation) {
      codesRotation.set(approval.teamId, approval.rotation.expiresIn);
      answer.refresh_token = issue(approval.teamId, 'refresh');
      answer.expires_in = approval.rotation.expiresIn;
    }
    return answer;
  }

  const defaults: Record<string, MethodHandler> = {
    'auth.test': (_args, call) => {
      const ws = workspaces.get(call.team ?? teamId) ?? { teamId: call.team ?? teamId };
      return {
        ok: true,
        url: `https://${ws.teamId === teamId ? teamDomain : ws.teamId.toLowerCase()}.slack.com/`,
        team: ws.teamName ?? ws.teamId,
        user: 'receivables',
        team_id: ws.teamId,
        user_id: ws.botUserId ?? botUserId,
        bot_id: ws.botId ?? botId,
        ...(ws.enterpriseId ? { enterprise_id: ws.enterpriseId } : {}),
        is_enterprise_install: false,
      };
    },
    'auth.revoke': (_args, call) => {
      const record = call.token ? tokens.get(call.token) : undefined;
      if (record) record.revoked = true;
      return { ok: true, revoked: true };
    },
    'oauth.v2.access': (args) => oauthAccess(args),
    'chat.postMessage': (args) => {
      if (typeof args.channel !== 'string' || args.channel === '') return { ok: false, error: 'channel_not_found' };
      const bad = checkMessageContent(args);
      if (bad) return bad;
      const ts = nextTs();
      const message = messageFor(args, ts);
      const list = channels.get(args.channel) ?? [];
      list.push(message);
      channels.set(args.channel, list);
      return { ok: true, channel: args.channel, ts, message };
    },
    'chat.postEphemeral': (args) => {
      if (typeof args.channel !== 'string' || args.channel === '') return { ok: false, error: 'channel_not_found' };
      if (typeof args.user !== 'string' || args.user === '') return { ok: false, error: 'user_not_in_channel' };
      const bad = checkMessageContent(args);
      if (bad) return bad;
      return { ok: true, message_ts: nextTs() };
    },
    'chat.update': (args) => {
      const list = channels.get(String(args.channel)) ?? [];
      const index = list.findIndex((m) => m.ts === args.ts);
      const existing = list[index];
      if (!existing) return { ok: false, error: 'message_not_found' };
      if (Array.isArray(args.blocks) && args.blocks.length > 50) return { ok: false, error: 'invalid_blocks' };
      const updated: StoredMessage = {
        ...existing,
        text: typeof args.text === 'string' ? args.text : existing.text,
        edited: { user: botUserId, ts: nextTs() },
      };
      if (Array.isArray(args.blocks)) updated.blocks = args.blocks;
      if (Array.isArray(args.attachments)) updated.attachments = args.attachments;
      if (args.metadata && typeof args.metadata === 'object') updated.metadata = args.metadata;
      list[index] = updated;
      return { ok: true, channel: args.channel, ts: existing.ts, text: updated.text, message: updated };
    },
    'chat.delete': (args) => {
      const list = channels.get(String(args.channel)) ?? [];
      const index = list.findIndex((m) => m.ts === args.ts);
      if (index < 0) return { ok: false, error: 'message_not_found' };
      list.splice(index, 1);
      return { ok: true, channel: args.channel, ts: args.ts };
    },
    'chat.getPermalink': (args) => ({
      ok: true,
      channel: args.channel,
      permalink: `https://${teamDomain}.slack.com/archives/${args.channel}/p${String(args.message_ts).replace('.', '')}`,
    }),
    'conversations.history': (args) => {
      if (typeof args.channel !== 'string' || args.channel === '') return { ok: false, error: 'channel_not_found' };
      const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
      const inclusive = args.inclusive === true || args.inclusive === 'true';
      const oldest = args.oldest !== undefined ? Number(args.oldest) : undefined;
      const latest = args.latest !== undefined ? Number(args.latest) : undefined;
      const limit = Math.max(1, Math.min(999, Number(args.limit ?? 100) || 100));
      const offset = typeof args.cursor === 'string' && args.cursor !== '' ? Number(args.cursor) || 0 : 0;
      const all = [...(channels.get(args.channel) ?? [])]
        // Like Slack: the channel's own messages; replies in threads come from conversations.replies.
        .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
        .filter((m) => {
          const ts = Number(m.ts);
          if (oldest !== undefined && (inclusive ? ts < oldest : ts <= oldest)) return false;
          if (latest !== undefined && (inclusive ? ts > latest : ts >= latest)) return false;
          return true;
        })
        .reverse(); // newest first, like Slack
      const page = all.slice(offset, offset + limit).map((m) => {
        if (withMetadata) return m;
        const { metadata: _metadata, ...rest } = m;
        return rest;
      });
      const hasMore = offset + limit < all.length;
      return {
        ok: true,
        messages: page,
        has_more: hasMore,
        pin_count: 0,
        response_metadata: { next_cursor: hasMore ? String(offset + limit) : '' },
      };
    },
    'conversations.replies': (args) => {
      const list = channels.get(String(args.channel)) ?? [];
      const thread = list.filter((m) => m.ts === args.ts || m.thread_ts === args.ts);
      if (thread.length === 0) return { ok: false, error: 'thread_not_found' };
      const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
      const messages = thread.map((m) => {
        if (withMetadata) return m;
        const { metadata: _metadata, ...rest } = m;
        return rest;
      });
      return { ok: true, messages, has_more: false, response_metadata: { next_cursor: '' } };
    },
    'conversations.info': (args) => ({
      ok: true,
      channel: { id: args.channel, name: String(args.channel).toLowerCase(), is_channel: true, is_member: true },
    }),
    'conversations.open': (args) => ({ ok: true, channel: { id: `D${String(args.users ?? 'X').replace(/\W/g, '')}` } }),
    'users.info': (args) => {
      if (typeof args.user !== 'string' || args.user === '') return { ok: false, error: 'user_not_found' };
      const user = userInfo(args.user);
      return user ? { ok: true, user } : { ok: false, error: 'user_not_found' };
    },
    'usergroups.users.list': (args) => {
      const members = usergroups.get(String(args.usergroup));
      return members ? { ok: true, users: [...members] } : { ok: false, error: 'no_such_subteam' };
    },
    'views.open': (args) => {
      if (typeof args.trigger_id !== 'string' || args.trigger_id === '') {
        return invalidArguments('missing required field: trigger_id');
      }
      if (usedTriggers.has(args.trigger_id)) return { ok: false, error: 'expired_trigger_id' };
      const bad = validateView(args.view, false);
      if (bad) return bad;
      usedTriggers.add(args.trigger_id);
      return { ok: true, view: storeView(args.view, undefined) };
    },
    'views.push': (args) => {
      if (typeof args.trigger_id !== 'string' || args.trigger_id === '') {
        return invalidArguments('missing required field: trigger_id');
      }
      if (usedTriggers.has(args.trigger_id)) return { ok: false, error: 'expired_trigger_id' };
      const bad = validateView(args.view, false);
      if (bad) return bad;
      usedTriggers.add(args.trigger_id);
      return { ok: true, view: storeView(args.view, undefined) };
    },
    'views.update': (args) => {
      if (args.view_id === undefined && args.external_id === undefined) {
        return invalidArguments('must provide view_id or external_id');
      }
      const record = findView(args);
      if (!record) return { ok: false, error: 'not_found' };
      if (typeof args.hash === 'string' && args.hash !== record.view.hash) return { ok: false, error: 'hash_conflict' };
      const bad = validateView(args.view, record.view.type === 'home');
      if (bad) return bad;
      return { ok: true, view: storeView(args.view, record.userId, record.view) };
    },
    'views.publish': (args) => {
      if (typeof args.user_id !== 'string' || args.user_id === '') return { ok: false, error: 'user_not_found' };
      const bad = validateView(args.view, true);
      if (bad) return bad;
      const currentId = homeViews.get(args.user_id);
      const current = currentId ? views.get(currentId) : undefined;
      if (typeof args.hash === 'string' && current && args.hash !== current.view.hash) {
        return { ok: false, error: 'hash_conflict' };
      }
      const view = storeView(args.view, args.user_id, current?.view);
      homeViews.set(args.user_id, view.id);
      return { ok: true, view };
    },
    'files.upload': (args) => {
      const id = nextId('F');
      return { ok: true, file: { id, name: args.filename ?? 'file', title: args.title ?? args.filename ?? 'file' } };
    },
    'files.info': (args) => {
      const file = typeof args.file === 'string' ? fileStore.get(args.file) : undefined;
      if (!file) return { ok: false, error: 'file_not_found' };
      return { ok: true, file: fileObject(file), content: '', comments: [], response_metadata: { next_cursor: '' } };
    },
    'files.getUploadURLExternal': (args) => {
      // Like Slack: a file of length 0 cannot be uploaded.
      if (args.length === undefined || Number(args.length) <= 0) return { ok: false, error: 'missing_argument' };
      const id = newFile({ name: String(args.filename ?? 'file'), user: botUserId }).id;
      return {
        ok: true,
        upload_url: `${baseUrl}/upload/${id}?filename=${encodeURIComponent(args.filename)}`,
        file_id: id,
      };
    },
    'files.completeUploadExternal': (args) => {
      const files: unknown = args.files;
      const list = Array.isArray(files) ? (files as Args[]) : [];
      const channel = typeof args.channel_id === 'string' && args.channel_id !== '' ? args.channel_id : undefined;
      const shared: Args[] = [];
      for (const f of list) {
        const stored = typeof f.id === 'string' ? fileStore.get(f.id) : undefined;
        if (!stored) continue;
        if (typeof f.title === 'string' && f.title !== '') stored.title = f.title;
        stored.completed = true;
        if (channel && !stored.channels.includes(channel)) stored.channels.push(channel);
        shared.push(fileObject(stored));
      }
      if (channel && shared.length > 0) {
        // Slack shares the files as a message in the channel, with the initial comment as its text.
        const ts = nextTs();
        const message: StoredMessage = {
          ...messageFor({ text: typeof args.initial_comment === 'string' ? args.initial_comment : '' }, ts),
          files: shared,
          upload: true,
        };
        if (typeof args.thread_ts === 'string') message.thread_ts = args.thread_ts;
        const messages = channels.get(channel) ?? [];
        messages.push(message);
        channels.set(channel, messages);
      }
      return { ok: true, files: list.map((f) => ({ id: f.id, title: f.title ?? '' })) };
    },
    'apps.connections.open': () =>
      socket ? { ok: true, url: socket.url } : { ok: false, error: 'fake_slack_has_no_socket_attached' },
  };

  function tokenError(method: string, token: string | undefined): Args | undefined {
    if (!checkTokens || TOKENLESS.has(method)) return undefined;
    if (!token) return { ok: false, error: 'not_authed' };
    if (method === 'apps.connections.open') {
      return token.startsWith('xapp-') ? undefined : { ok: false, error: 'not_allowed_token_type' };
    }
    if (token.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
    const known = tokens.get(token);
    if (known?.revoked) return { ok: false, error: 'token_revoked' };
    if (known?.kind === 'refresh') return { ok: false, error: 'not_allowed_token_type' };
    if (strictTokens && !known) return { ok: false, error: 'invalid_auth' };
    return token.startsWith('xox') ? undefined : { ok: false, error: 'invalid_auth' };
  }

  function send(res: ServerResponse, status: number, body: Args | string, headers: Record<string, string> = {}): void {
    if (res.writableEnded || res.destroyed) return;
    const isJson = typeof body !== 'string';
    res.writeHead(status, { 'content-type': isJson ? 'application/json; charset=utf-8' : 'text/plain', ...headers });
    res.end(isJson ? JSON.stringify(body) : body);
  }

  /** Applies a scripted failure; returns true when it fully answered (or will never answer). */
  function failEarly(res: ServerResponse, failure: Failure | undefined): boolean {
    if (!failure) return false;
    if (isStatusFailure(failure)) {
      const headers: Record<string, string> = {};
      if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
      const body = failure.body ?? (failure.status === 429 ? { ok: false, error: 'ratelimited' } : 'fake failure');
      send(res, failure.status, body, headers);
      return true;
    }
    if (isErrorFailure(failure)) {
      send(res, 200, { ok: false, error: failure.error, ...(failure.extra ?? {}) });
      return true;
    }
    return false;
  }

  function answerLater(res: ServerResponse, failure: Failure | undefined, body: Args, call?: Call): void {
    const slow = !failure && call ? (delays.get(call.method) ?? delays.get('*')) : undefined;
    if (slow && call) {
      let wait: number | Promise<unknown>;
      try {
        wait = slow(call);
      } catch {
        wait = 0;
      }
      if (typeof wait === 'number') {
        answerLater(res, wait > 0 ? { delayMs: wait } : undefined, body);
        return;
      }
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      const answer = () => {
        hanging.delete(res);
        send(res, 200, body);
      };
      wait.then(answer, answer);
      return;
    }
    if (failure && 'hang' in failure) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (failure && 'delayMs' in failure) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(res, 200, body);
      }, failure.delayMs);
      timers.add(timer);
      return;
    }
    send(res, 200, body);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string, url: URL): Promise<void> {
    const raw = await readBody(req);
    let args: Args;
    try {
      args = await parseArgs(req, raw, url);
    } catch {
      send(res, 200, { ok: false, error: 'invalid_form_data' });
      return;
    }
    const { token: argToken, ...rest } = args;
    const token = bearer(req) ?? (typeof argToken === 'string' ? argToken : undefined);
    const failure = takeFailure(method);
    const call: Call = { method, args: rest, token, at: Date.now() };
    const team = teamOfToken(token);
    if (team) call.team = team;
    if (failure) call.failure = failure;
    record(call);
    if (failEarly(res, failure)) return;
    const hangWithoutEffect = failure !== undefined && 'hang' in failure && failure.apply === false;
    let body: Args;
    if (hangWithoutEffect) {
      body = {};
    } else {
      const handler = handlers.get(method) ?? defaults[method];
      try {
        body = tokenError(method, token) ?? (handler ? await handler(rest, call) : { ok: true });
      } catch (error) {
        body = { ok: false, error: 'fake_handler_threw', detail: String(error) };
      }
      call.response = body;
    }
    answerLater(res, failure, body, call);
  }

  async function handleResponseUrl(req: IncomingMessage, res: ServerResponse, id: string, url: URL): Promise<void> {
    const raw = await readBody(req);
    let args: Args;
    try {
      args = await parseArgs(req, raw, url);
    } catch {
      send(res, 400, 'invalid_payload');
      return;
    }
    const failure = takeFailure('response_url');
    const call: Call = { method: 'response_url', args, token: bearer(req), at: Date.now(), id };
    if (failure) call.failure = failure;
    record(call);
    if (failEarly(res, failure)) return;
    const uses = (responseUrlUses.get(id) ?? 0) + 1;
    responseUrlUses.set(id, uses);
    // Slack allows 5 uses of a response_url (within 30 minutes).
    const body: Args = uses > RESPONSE_URL_MAX_USES ? { ok: false, error: 'used_url' } : { ok: true };
    call.response = body;
    if (uses > RESPONSE_URL_MAX_USES) {
      send(res, 404, body);
      return;
    }
    answerLater(res, failure, body);
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse, id: string, url: URL): Promise<void> {
    const raw = await readBody(req);
    const call: Call = {
      method: 'file_upload',
      args: { filename: url.searchParams.get('filename'), size: raw.length, contentType: req.headers['content-type'] },
      token: bearer(req),
      at: Date.now(),
      id,
    };
    record(call);
    const stored = fileStore.get(id);
    if (stored) stored.bytes = await uploadedBytes(raw, String(req.headers['content-type'] ?? ''));
    send(res, 200, `OK - ${raw.length}`);
  }

  /** The file's bytes: raw, or the file part of a multipart form (as @slack/web-api sends them). */
  async function uploadedBytes(raw: Buffer, contentType: string): Promise<Buffer> {
    if (!contentType.toLowerCase().includes('multipart/form-data')) return raw;
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    for (const [, value] of form) if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
    return raw;
  }

  /** url_private(_download): the bytes for a bot token; without one, Slack's sign-in page (HTML), as Slack does. */
  async function handleFileDownload(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    await readBody(req);
    const match = /^\/files-pri\/[^/]+-(F[A-Z0-9]+)\//.exec(path);
    const id = match?.[1] ?? '';
    const token = bearer(req);
    record({ method: 'file_download', args: { file: id, path }, token, at: Date.now(), id });
    if (checkTokens && !token?.startsWith('xox')) {
      res.writeHead(302, { location: `/signin?redir=${encodeURIComponent(path)}` }).end();
      return;
    }
    const file = fileStore.get(id);
    if (!file?.bytes) {
      send(res, 404, 'file_not_found');
      return;
    }
    res.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.bytes.length) });
    res.end(file.bytes);
  }

  const server: Server = createServer((req, res) => {
    req.on('error', () => {});
    res.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    let work: Promise<void> | undefined;
    if (path.startsWith('/api/')) work = handleApi(req, res, decodeURIComponent(path.slice('/api/'.length)), url);
    else if (path.startsWith('/respond/') && req.method === 'POST') {
      work = handleResponseUrl(req, res, decodeURIComponent(path.slice('/respond/'.length)), url);
    } else if (path.startsWith('/upload/')) work = handleUpload(req, res, decodeURIComponent(path.slice(8)), url);
    else if (path.startsWith('/files-pri/') && req.method === 'GET') work = handleFileDownload(req, res, path);
    else if (path === '/signin') send(res, 200, SIGN_IN_PAGE, { 'content-type': 'text/html; charset=utf-8' });
    else send(res, 404, 'not found');
    work?.catch((error: unknown) => send(res, 500, `fake-slack error: ${String(error)}`));
  });
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  let responseUrlSeq = 0;
  let closed = false;

  const fake: FakeSlack = {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    port,
    responseUrl(id?: string) {
      responseUrlSeq += 1;
      return `${baseUrl}/respond/${encodeURIComponent(id ?? `r${responseUrlSeq}`)}`;
    },
    failNext(method, failure, times = 1) {
      const queue = failures.get(method) ?? [];
      queue.push({ failure, remaining: times });
      failures.set(method, queue);
    },
    delay(method, delay) {
      if (delay) delays.set(method, delay);
      else delays.delete(method);
    },
    on(method, handler) {
      if (handler) handlers.set(method, handler);
      else handlers.delete(method);
    },
    calls(method) {
      return method === undefined ? [...calls] : calls.filter((c) => c.method === method);
    },
    last(method) {
      return calls.filter((c) => c.method === method).at(-1);
    },
    async waitFor(method, predicate, timeoutMs = 3000) {
      const found = await fake.waitForCount(method, 1, predicate, timeoutMs);
      return found[0] as Call;
    },
    waitForCount(method, count, predicate, timeoutMs = 3000) {
      const matching = calls.filter((c) => c.method === method && (!predicate || predicate(c)));
      if (matching.length >= count) return Promise.resolve(matching.slice(0, count));
      return new Promise<Call[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w.timer !== timer);
          const seen = calls.filter((c) => c.method === method && (!predicate || predicate(c))).length;
          reject(
            new Error(
              `fake Slack: waited ${timeoutMs} ms for ${count} ${method} call(s)${predicate ? ' matching the predicate' : ''}, ` +
                `saw ${seen}. Calls so far:\n${describeCalls(calls)}`,
            ),
          );
        }, timeoutMs);
        waiters.push({ method, count, predicate, resolve, timer });
      });
    },
    messages(channel) {
      return [...(channels.get(channel) ?? [])];
    },
    setUser(id, user) {
      users.set(id, { ...users.get(id), ...user });
    },
    setUsergroup(id, userIds) {
      usergroups.set(id, [...userIds]);
    },
    attachSocket(s) {
      socket = s;
    },
    addFile(file) {
      const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
      const stored = newFile({
        name: file.name,
        user: file.user ?? 'U0USER',
        bytes,
        ...(file.title ? { title: file.title } : {}),
        ...(file.filetype ? { filetype: file.filetype } : {}),
      });
      stored.completed = true;
      return fileObject(stored);
    },
    file(id) {
      return fileStore.get(id);
    },
    addWorkspace(workspace) {
      workspaces.set(workspace.teamId, { ...workspaces.get(workspace.teamId), ...workspace });
    },
    addToken(token, team) {
      tokens.set(token, { token, teamId: team, kind: 'bot', revoked: false });
    },
    teamOf(token) {
      return teamOfToken(token);
    },
    approveInstall(approval) {
      const code = `code-${randomBytes(8).toString('hex')}`;
      codes.set(code, { ...approval, used: false });
      return code;
    },
    revokeTeam(team) {
      for (const record of tokens.values()) if (record.teamId === team) record.revoked = true;
    },
    tokensOf(team) {
      return [...tokens.values()].filter((r) => r.teamId === team && r.kind === 'bot').map((r) => r.token);
    },
    reset() {
      calls = [];
      failures = new Map();
      handlers = new Map();
      delays = new Map();
      channels = new Map();
      views = new Map();
      homeViews = new Map();
      usedTriggers = new Set();
      responseUrlUses = new Map();
      fileStore = new Map();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const waiter of waiters) clearTimeout(waiter.timer);
      waiters = [];
      for (const res of hanging) res.destroy();
      hanging.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return fake;
}

/** An API URL on 127.0.0.1 where nothing listens (a port that was just bound and released): connections are refused. */
export async function unreachableSlackUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/api/`;
}
