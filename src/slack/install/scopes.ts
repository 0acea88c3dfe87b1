// What the app asks Slack for when a workspace installs it: no more than it uses. manifest.json says the same
// (test/slack/install.test.ts holds them equal).
export const BOT_SCOPES = [
  // /invoice
  'commands',
  // cards, alerts, the digest, DMs (chat.postMessage, chat.update, chat.postEphemeral)
  'chat:write',
  // the finance admins' user group (usergroups.users.list)
  'usergroups:read',
  // a person's time zone, proposed in settings (users.info)
  'users:read',
  // the import's uploaded file (files.info) and the export's (files.uploadV2)
  'files:read',
  'files:write',
  // a DM with the app (conversations.open)
  'im:write',
  // the setup message: whether the app is in the chosen finance channel (conversations.info), public or private
  'channels:read',
  'groups:read',
  // and its "Add me to the channel" for a public one (conversations.join)
  'channels:join',
  // after a crash mid-post, the app's own latest messages where it was posting — a channel, a private channel, a DM
  // (conversations.history, conversations.replies) — so an alert whose post may have gone out is never posted twice
  'channels:history',
  'groups:history',
  'im:history',
] as const;

/** The events the app subscribes to: the App Home, and being uninstalled or losing its tokens. */
export const BOT_EVENTS = ['app_home_opened', 'app_uninstalled', 'tokens_revoked'] as const;
