// The installable mode's own pages: what the app does with "Add to Slack" (/), the privacy and data-deletion
// statement (/privacy), and the words at the end of an install (done, or why not). Pure HTML, every value escaped,
// the client page's stylesheet inline (by hash in the CSP), no script and nothing fetched from elsewhere.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { INSTALL_PATH } from '../slack/install/oauth.js';
import { html, PAGE_CSS } from './page.js';

export const PRIVACY_PATH = '/privacy';

/** The status page's stylesheet and a button-like link; allowed by its hash, as the status page's is. */
const CSS = `${PAGE_CSS}a.button{display:inline-block;font-weight:600;padding:.6rem 1rem;border-radius:.4rem;background:#4a154b;color:#fff;text-decoration:none}`;
const CSS_HASH = `sha256-${createHash('sha256').update(CSS).digest('base64')}`;

const HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': `default-src 'none'; style-src '${CSS_HASH}'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`,
};

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${html(title)}</title>`,
    `<style>${CSS}</style></head>`,
    `<body><main>${body}</main></body></html>`,
  ].join('\n');
}

export function sendPage(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, HEADERS);
  res.end(body);
}

/** `/`: what the app does, the "Add to Slack" link, and the privacy statement's link. */
export function landingPage(): string {
  return page(
    'Receivables for Slack',
    [
      '<h1>Receivables for Slack</h1>',
      '<p>One live record of every invoice, in Slack: who owes what, since when, and who chased it last.</p>',
      '<ul>',
      '<li>Log invoices with <code>/invoice new</code>, or import them from a spreadsheet, Xero or QuickBooks Online.</li>',
      '<li>Record payments and chases from the invoice’s card; every card updates in place when its invoice changes.</li>',
      '<li>Alerts in your finance channel when an invoice falls due or overdue, a weekly digest, and the whole book in the App Home.</li>',
      '</ul>',
      `<p><a class="button" href="${INSTALL_PATH}">Add to Slack</a></p>`,
      '<p>Whoever installs it becomes the workspace’s first finance admin, and can name others in <code>/invoice settings</code>.</p>',
      `<footer><a href="${PRIVACY_PATH}">Privacy and data deletion</a></footer>`,
    ].join('\n'),
  );
}

/** `/privacy`: what is kept, for how long after an uninstall, and how to have it deleted. */
export function privacyPage(options: { retentionDays: number; contact?: string | undefined }): string {
  const contact = options.contact
    ? `<a href="${html(options.contact)}">${html(options.contact)}</a>`
    : 'the people who run this service';
  const paragraphs = [
    '<h1>Privacy and data deletion</h1>',
    '<h2>What is kept</h2>',
    '<p>For each workspace that installs the app: its settings, the clients, invoices, payments, chases and their ' +
      'history that people record in it (or import, or sync from a connected ledger), the Slack ids of the people ' +
      'who act and of the messages the app posts, and the app’s bot token, encrypted at rest. The app keeps no ' +
      'channel messages: it sees what people send it (commands, buttons, forms) and the App Home being opened, and ' +
      'after a crash in the middle of posting it reads the latest messages where it was posting, only to find its ' +
      'own and never post an alert twice; it keeps nothing of what it reads there.</p>',
    '<h2>When the app is uninstalled</h2>',
    '<p>The moment Slack tells the app it was uninstalled (or its tokens revoked), it forgets the token and posts ' +
      'nothing more to that workspace. The workspace’s data is kept for ' +
      `${html(String(options.retentionDays))} days, so that installing it again carries on where it left off; ` +
      'after that it is deleted, every row of it.</p>',
    '<h2>Deleting it sooner</h2>',
    `<p>A workspace admin can ask ${contact} to delete the workspace’s data at once, naming the workspace. ` +
      'They uninstall the app from the workspace first, then delete its data with one command ' +
      '(<code>npm run cli -- workspace delete --team T…</code>), which removes every row of that workspace and ' +
      'nothing else.</p>',
    '<p><a href="/">Back</a></p>',
  ];
  return page('Privacy and data deletion', paragraphs.join('\n'));
}

/** After a successful install: where to go next. */
export function installedPage(options: { teamName: string; teamId: string; appId?: string | undefined }): string {
  const open = options.appId
    ? `https://slack.com/app_redirect?app=${encodeURIComponent(options.appId)}&team=${encodeURIComponent(options.teamId)}`
    : 'https://slack.com/';
  return page(
    'Installed',
    [
      `<h1>Installed in ${html(options.teamName)}</h1>`,
      '<p>You are the workspace’s first finance admin. The app has sent you a message in Slack to finish setting it up.</p>',
      `<p><a class="button" href="${html(open)}">Open Slack</a></p>`,
    ].join('\n'),
  );
}

/** An install that did not happen, and why, in words. */
export function installFailedPage(reason: string): string {
  return page(
    'Not installed',
    [
      '<h1>Not installed</h1>',
      `<p>${html(reason)}</p>`,
      `<p><a href="${INSTALL_PATH}">Start again</a> · <a href="/">Back</a></p>`,
    ].join('\n'),
  );
}
