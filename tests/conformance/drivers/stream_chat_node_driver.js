// Stream's official Node.js SDK, stream-chat, as a witness of specs/stream.yaml.
//
// Every public method of the SDK's client (`StreamChat`) and of its `Channel` is either made
// against the recording server, next to the same call through the generated client, or skipped
// because it sends no request, needs a user's websocket connection, or reaches an endpoint the
// spec has no operation for. The SDK's raw transport methods (`get`, `post`, `put`, `patch`,
// `delete`) are made too, each on an operation the SDK has no method of its own for.
//
// The SDK runs server-side, as the generated client does: a server token signed with the secret,
// unprefixed in `Authorization`, with `Stream-Auth-Type: jwt` and the key in `api_key`.
'use strict';

const path = require('path');
const w = require('./_witness.js');
const { StreamChat, Channel } = require('stream-chat');

const client = new StreamChat(w.KEY, w.SECRET, { baseURL: w.URL, timeout: 10000 });

const TYPE = 'messaging';
const ID = 'general';
const CID = `${TYPE}:${ID}`;
const IN_GENERAL = { type: TYPE, id: ID };
const SINCE = '2026-01-01T00:00:00.000Z';
const UPLOADED = 'https://us-east.stream-io-cdn.com/1234/images/pixel.png';

// The channel the calls act on, made afresh for each call (a Channel keeps state from its calls).
function general() {
  return client.channel(TYPE, ID);
}

// A check: the SDK gave back the answer, an object with these members.
function holding(...keys) {
  return (result) => {
    if (result === null || typeof result !== 'object' || Array.isArray(result)) {
      return `the SDK gave back ${Array.isArray(result) ? 'an array' : typeof result}, not the answer`;
    }
    const missing = keys.filter((key) => !(key in result));
    return missing.length ? `the answer has no ${missing.join(', ')}` : null;
  };
}

// The check of calls that give back nothing: the SDK took the answer when it did not throw.
function nothing() {
  return null;
}

function skipAll(names, why) {
  for (const name of names) w.skip(name, why);
}

// One way the SDK differs from the spec, showing at each of `places` in `calls`.
function quirk(what, evidence, calls, ...places) {
  for (const place of places) w.quirk(place, what, evidence, calls);
}

const ours = w.ours;

async function main() {
  w.inventory([
    ...w.offered(StreamChat, client, 'client'),
    ...w.offered(Channel, general(), 'channel'),
  ]);

  // Calls that send no request, or keep state on the client.
  const local = {
    'client.createToken': 'signs a user token locally; no request',
    'client.devToken': 'makes an unsigned development token locally; no request',
    'client.verifyWebhook': "checks a webhook's signature locally; no request",
    'client.getAuthType': 'tells the kind of credentials in use; no request',
    'client.setBaseURL': 'sets the base URL; no request',
    'client.setUserAgent': 'sets the User-Agent; no request',
    'client.getUserAgent': 'gives the User-Agent; no request',
    'client.setLocalDevice': 'keeps the device for a later connection; no request',
    'client.createAbortControllerForNextRequest': 'makes an AbortController; no request',
    'client.errorFromResponse': 'turns an answer into an error object; no request',
    'client.handleResponse': 'reads an answer; no request',
    'client.dispatchEvent': 'hands an event to the listeners; no request',
    'client.handleEvent': 'reads a websocket event; no request',
    'client.on': 'registers an event listener; no request',
    'client.off': 'removes an event listener; no request',
    'client.userMuteStatus': 'reads the mutes of the connected user from local state; no request',
    'client.hydrateActiveChannels': 'fills local state from an answer; no request',
    'client.channel': 'makes a Channel object; no request (its methods are made below)',
    'client.getChannelById': 'makes a Channel object; no request',
    'client.getChannelByMembers': 'makes a Channel object; no request',
    'client.campaign': 'makes a Campaign object; no request',
    'client.segment': 'makes a Segment object; no request',
    'client.createChannelManager': 'makes a ChannelManager object; no request',
    'client.validateServerSideAuth': 'checks that a secret was given; no request',
    'client.logger': 'writes a log line locally; no request',
    'client.axiosInstance': "the HTTP library's instance under the transport (doAxiosRequest, made below)",
    'channel.getClient': 'gives the client; no request',
    'channel.getConfig': "reads the channel type's configuration from local state; no request",
    'channel.muteStatus': 'reads the mute from local state; no request',
    'channel.lastMessage': 'reads local state; no request',
    'channel.lastRead': 'reads local state; no request',
    'channel.countUnread': 'counts from local state; no request',
    'channel.countUnreadMentions': 'counts from local state; no request',
    'channel.clean': 'clears local typing state; no request',
    'channel.on': 'registers an event listener; no request',
    'channel.off': 'removes an event listener; no request',
  };
  for (const [name, why] of Object.entries(local)) w.skip(name, why);

  // Calls of a user's websocket connection, which a server-side client does not open.
  skipAll(
    [
      'client.connectUser',
      'client.setUser',
      'client.connectAnonymousUser',
      'client.setAnonymousUser',
      'client.openConnection',
      'client.closeConnection',
      'client.disconnectUser',
      'client.disconnect',
      'client.connect',
      'client.recoverState',
      'client.sync',
    ],
    "needs a user's websocket connection (client.connectUser), which a server-side client does not open",
  );

  // Calls whose endpoint the spec has no operation for.
  skipAll(
    [
      'client.createCampaign',
      'client.getCampaign',
      'client.queryCampaigns',
      'client.updateCampaign',
      'client.deleteCampaign',
      'client.startCampaign',
      'client.stopCampaign',
    ],
    'no operation in the spec: campaigns (/campaigns, /campaigns/{id}, its start and stop)',
  );
  skipAll(
    [
      'client.createSegment',
      'client.createUserSegment',
      'client.createChannelSegment',
      'client.getSegment',
      'client.updateSegment',
      'client.deleteSegment',
      'client.querySegments',
      'client.addSegmentTargets',
      'client.querySegmentTargets',
      'client.removeSegmentTargets',
      'client.segmentTargetExists',
    ],
    'no operation in the spec: segments (/segments, /segments/{id} and their targets)',
  );
  skipAll(
    ['channel.createDraft', 'channel.getDraft', 'channel.deleteDraft'],
    'no operation in the spec: drafts (/channels/{type}/{id}/draft)',
  );
  w.skip('client.queryDrafts', 'no operation in the spec: POST /drafts/query');
  skipAll(
    ['client.unflagMessage', 'client.unflagUser'],
    'no operation in the spec: POST /moderation/unflag',
  );
  w.skip('client.unblockMessage', 'no operation in the spec: POST /moderation/unblock_message');
  w.skip('client.updateFlags', 'no operation in the spec: POST /automod/v1/moderator/review_flags');
  w.skip(
    'client.deleteUser',
    'no operation in the spec: DELETE /users/{user_id} (the spec deletes users only in bulk, ' +
      'POST /users/delete, made by client.deleteUsers)',
  );
  w.skip('client.createPermission', 'no operation in the spec: POST /permissions');
  skipAll(
    ['client.updatePermission', 'client.deletePermission'],
    'no operation in the spec: PUT and DELETE /permissions/{id} (the spec only reads them)',
  );
  skipAll(
    [
      'channel.pin',
      'channel.unpin',
      'channel.archive',
      'channel.unarchive',
      'channel.updateMemberPartial',
      'channel.partialUpdateMember',
    ],
    'no operation in the spec: PATCH /channels/{type}/{id}/member',
  );
  w.skip('channel.stopWatching', 'no operation in the spec: POST /channels/{type}/{id}/stop-watching');
  w.skip('channel.getPinnedMessages', 'no operation in the spec: GET /channels/{type}/{id}/pinned_messages');
  w.skip('client.translate', 'no operation in the spec: POST /translate');
  w.skip('client.setPushPreferences', 'no operation in the spec: POST /push_preferences');

  // The raw transport (get, post, put, patch, delete and doAxiosRequest under them), each method
  // on an operation the SDK has no method of its own for.
  await w.call(
    'client.get',
    ours('external_storage.list_external_storage'),
    () => client.get(client.baseURL + '/external_storage'),
    holding('external_storages'),
  );
  const BUCKET = { storage_type: 's3', bucket: 'chat-exports', path: 'exports/' };
  await w.call(
    'client.post',
    ours('external_storage.create_external_storage', { name: 'archive', ...BUCKET }),
    () => client.post(client.baseURL + '/external_storage', { name: 'archive', ...BUCKET }),
    holding('duration'),
  );
  await w.call(
    'client.doAxiosRequest',
    ours('calls.get_call_token', { user_id: 'ann' }),
    () => client.doAxiosRequest('post', client.baseURL + '/calls', { user_id: 'ann' }),
    holding('token'),
  );
  await w.call(
    'client.put',
    ours('external_storage.update_external_storage', { name: 'archive', ...BUCKET }),
    () => client.put(client.baseURL + '/external_storage/archive', BUCKET),
    holding('name'),
  );
  await w.call(
    'client.delete',
    ours('external_storage.delete_external_storage', { name: 'archive' }),
    () => client.delete(client.baseURL + '/external_storage/archive'),
    holding('duration'),
  );
  await w.call(
    'client.patch',
    ours('threads.update_thread_partial', { message_id: 'msg-1', set: { title: 'Plans' } }),
    () => client.patch(client.baseURL + '/threads/msg-1', { set: { title: 'Plans' } }),
    holding('thread'),
  );

  // Users.
  const ANN = { id: 'ann', name: 'Ann Lee', role: 'user' };
  const BOB = { id: 'bob', name: 'Bob Stone', role: 'user' };
  await w.call(
    'client.upsertUser',
    ours('users.upsert_users', { users: { ann: ANN } }),
    () => client.upsertUser(ANN),
    holding('users'),
  );
  await w.call(
    'client.upsertUsers',
    ours('users.upsert_users', { users: { ann: ANN, bob: BOB } }),
    () => client.upsertUsers([ANN, BOB]),
    holding('users'),
  );
  await w.call(
    'client.updateUser',
    ours('users.upsert_users', { users: { bob: BOB } }),
    () => client.updateUser(BOB),
    holding('users'),
  );
  await w.call(
    'client.updateUsers',
    ours('users.upsert_users', { users: { ann: ANN, bob: BOB } }),
    () => client.updateUsers([ANN, BOB]),
    holding('users'),
  );
  const RENAME = { id: 'ann', set: { name: 'Ann B. Lee' }, unset: ['nickname'] };
  await w.call(
    'client.partialUpdateUser',
    ours('users.update_users_partial', { users: [RENAME] }),
    () => client.partialUpdateUser(RENAME),
    holding('users'),
  );
  const PROMOTE = { id: 'bob', set: { role: 'admin' } };
  await w.call(
    'client.partialUpdateUsers',
    ours('users.update_users_partial', { users: [RENAME, PROMOTE] }),
    () => client.partialUpdateUsers([RENAME, PROMOTE]),
    holding('users'),
  );
  // A guest: the SDK asks for one anonymously, then opens a user's websocket connection with the
  // token it got (connectUser), which a server-side client does not open; here connectUser gives
  // back what it was handed.
  const connectUser = client.connectUser;
  client.connectUser = async (user, token) => ({ user, token });
  await w.call(
    'client.setGuestUser',
    ours('users.create_guest', { user: { id: 'guest-1', name: 'Guest' } }),
    () => client.setGuestUser({ id: 'guest-1', name: 'Guest' }),
    (handed) =>
      handed && handed.user && handed.user.id && typeof handed.token === 'string' && handed.token
        ? null
        : 'the SDK did not take the guest and its token from the answer',
  );
  client.connectUser = connectUser;
  await w.call(
    'client.queryUsers',
    ours('users.query_users', {
      payload: {
        filter_conditions: { id: { $in: ['ann', 'bob'] } },
        sort: [{ field: 'created_at', direction: -1 }],
        limit: 10,
        presence: false,
      },
    }),
    () => client.queryUsers({ id: { $in: ['ann', 'bob'] } }, { created_at: -1 }, { limit: 10 }),
    holding('users'),
  );
  await w.call(
    'client.deleteUsers',
    ours('users.delete_users', { user_ids: ['bob'], user: 'soft', messages: 'hard' }),
    () => client.deleteUsers(['bob'], { user: 'soft', messages: 'hard' }),
    holding('task_id'),
  );
  await w.call(
    'client.restoreUsers',
    ours('users.restore_users', { user_ids: ['bob'] }),
    () => client.restoreUsers(['bob']),
    holding('duration'),
  );
  await w.call(
    'client.deactivateUser',
    ours('users.deactivate_user', { user_id: 'bob', mark_messages_deleted: true, created_by_id: 'ann' }),
    () => client.deactivateUser('bob', { mark_messages_deleted: true, created_by_id: 'ann' }),
    holding('user'),
  );
  await w.call(
    'client.deactivateUsers',
    ours('users.deactivate_users', { user_ids: ['bob', 'cat'], mark_channels_deleted: true }),
    () => client.deactivateUsers(['bob', 'cat'], { mark_channels_deleted: true }),
    holding('task_id'),
  );
  await w.call(
    'client.reactivateUser',
    ours('users.reactivate_user', { user_id: 'bob', restore_messages: true, name: 'Bob Stone' }),
    () => client.reactivateUser('bob', { restore_messages: true, name: 'Bob Stone' }),
    holding('user'),
  );
  await w.call(
    'client.reactivateUsers',
    ours('users.reactivate_users', { user_ids: ['bob', 'cat'], restore_messages: true }),
    () => client.reactivateUsers(['bob', 'cat'], { restore_messages: true }),
    holding('task_id'),
  );
  await w.call(
    'client.exportUser',
    ours('exports.export_user', { user_id: 'ann' }),
    () => client.exportUser('ann'),
    holding('user'),
  );
  await w.call(
    'client.exportUsers',
    ours('exports.export_users', { user_ids: ['ann', 'bob'] }),
    () => client.exportUsers({ user_ids: ['ann', 'bob'] }),
    holding('task_id'),
  );
  await w.call(
    'client.blockUser',
    ours('users.block_user', { blocked_user_id: 'bob', user_id: 'ann' }),
    () => client.blockUser('bob', 'ann'),
    holding('blocked_user_id'),
  );
  await w.call(
    'client.unBlockUser',
    ours('users.unblock_user', { blocked_user_id: 'bob', user_id: 'ann' }),
    () => client.unBlockUser('bob', 'ann'),
    holding('duration'),
  );
  await w.call(
    'client.getBlockedUsers',
    ours('users.get_blocked_users', { user_id: 'ann' }),
    () => client.getBlockedUsers('ann'),
    holding('blocks'),
  );
  const FRIENDSHIP = { type: 'friendship_request', custom: { from: 'bob' } };
  await w.call(
    'client.sendUserCustomEvent',
    ours('users.send_user_custom_event', { user_id: 'ann', event: FRIENDSHIP }),
    () => client.sendUserCustomEvent('ann', FRIENDSHIP),
    holding('duration'),
  );
  await w.call(
    'client.revokeUserToken',
    ours('users.update_users_partial', {
      users: [{ id: 'ann', set: { revoke_tokens_issued_before: SINCE } }],
    }),
    () => client.revokeUserToken('ann', SINCE),
    holding('users'),
  );
  await w.call(
    'client.revokeUsersToken',
    ours('users.update_users_partial', {
      users: [
        { id: 'ann', set: { revoke_tokens_issued_before: SINCE } },
        { id: 'bob', set: { revoke_tokens_issued_before: SINCE } },
      ],
    }),
    () => client.revokeUsersToken(['ann', 'bob'], SINCE),
    holding('users'),
  );
  await w.call(
    'client.revokeTokens',
    ours('app_settings.update_app', { revoke_tokens_issued_before: SINCE }),
    () => client.revokeTokens(SINCE),
    holding('duration'),
  );
  await w.call(
    'client.getUnreadCount',
    ours('channels.get_unread_counts', { user_id: 'ann' }),
    () => client.getUnreadCount('ann'),
    holding('total_unread_count'),
  );
  await w.call(
    'client.getUnreadCountBatch',
    ours('channels.batch_unread_counts', { user_ids: ['ann', 'bob'] }),
    () => client.getUnreadCountBatch(['ann', 'bob']),
    holding('counts_by_user'),
  );

  // Moderation.
  await w.call(
    'client.banUser',
    ours('moderation.ban_user', { target_user_id: 'bob', banned_by_id: 'ann', reason: 'spam' }),
    () => client.banUser('bob', { banned_by_id: 'ann', reason: 'spam' }),
    holding('duration'),
  );
  await w.call(
    'client.shadowBan',
    ours('moderation.ban_user', { target_user_id: 'bob', shadow: true, banned_by_id: 'ann' }),
    () => client.shadowBan('bob', { banned_by_id: 'ann' }),
    holding('duration'),
  );
  await w.call(
    'client.unbanUser',
    ours('moderation.unban_user', { target_user_id: 'bob' }),
    () => client.unbanUser('bob'),
    holding('duration'),
  );
  await w.call(
    'client.removeShadowBan',
    ours('moderation.unban_user', { target_user_id: 'bob' }),
    () => client.removeShadowBan('bob'),
    holding('duration'),
  );
  await w.call(
    'channel.banUser',
    ours('moderation.ban_user', {
      target_user_id: 'bob',
      channel_cid: CID,
      banned_by_id: 'ann',
      timeout_: 60,
    }),
    () => general().banUser('bob', { banned_by_id: 'ann', timeout: 60 }),
    holding('duration'),
  );
  await w.call(
    'channel.shadowBan',
    ours('moderation.ban_user', {
      target_user_id: 'bob',
      channel_cid: CID,
      shadow: true,
      banned_by_id: 'ann',
    }),
    () => general().shadowBan('bob', { banned_by_id: 'ann' }),
    holding('duration'),
  );
  await w.call(
    'channel.unbanUser',
    ours('moderation.unban_user', { target_user_id: 'bob', channel_cid: CID }),
    () => general().unbanUser('bob'),
    holding('duration'),
  );
  await w.call(
    'channel.removeShadowBan',
    ours('moderation.unban_user', { target_user_id: 'bob', channel_cid: CID }),
    () => general().removeShadowBan('bob'),
    holding('duration'),
  );
  await w.call(
    'client.queryBannedUsers',
    ours('moderation.query_banned_users', {
      payload: { filter_conditions: { channel_cid: CID }, sort: [], limit: 10 },
    }),
    () => client.queryBannedUsers({ channel_cid: CID }, {}, { limit: 10 }),
    holding('bans'),
  );
  await w.call(
    'client.muteUser',
    ours('moderation.mute_user', { target_ids: ['bob'], user_id: 'ann', timeout_: 60 }),
    () => client.muteUser('bob', 'ann', { timeout: 60 }),
    holding('duration'),
  );
  await w.call(
    'client.unmuteUser',
    ours('moderation.unmute_user', { target_ids: ['bob'], user_id: 'ann' }),
    () => client.unmuteUser('bob', 'ann'),
    holding('duration'),
  );
  await w.call(
    'channel.mute',
    ours('moderation.mute_channel', { channel_cids: [CID], user_id: 'ann', expiration: 3600000 }),
    () => general().mute({ user_id: 'ann', expiration: 3600000 }),
    holding('duration'),
  );
  await w.call(
    'channel.unmute',
    ours('moderation.unmute_channel', { channel_cids: [CID], user_id: 'ann' }),
    () => general().unmute({ user_id: 'ann' }),
    holding('duration'),
  );
  await w.call(
    'client.flagMessage',
    ours('moderation.flag', { target_message_id: 'msg-1', user_id: 'ann', reason: 'spam' }),
    () => client.flagMessage('msg-1', { user_id: 'ann', reason: 'spam' }),
    holding('duration'),
  );
  await w.call(
    'client.flagUser',
    ours('moderation.flag', { target_user_id: 'bob', user_id: 'ann' }),
    () => client.flagUser('bob', { user_id: 'ann' }),
    holding('duration'),
  );
  await w.call(
    'client.queryMessageFlags',
    ours('moderation.query_message_flags', {
      payload: { filter_conditions: { channel_cid: CID }, limit: 10 },
    }),
    () => client.queryMessageFlags({ channel_cid: CID }, { limit: 10 }),
    holding('flags'),
  );

  // Channels.
  await w.call(
    'client.queryChannels',
    ours('channels.query_channels', {
      filter_conditions: { type: TYPE, members: { $in: ['ann'] } },
      sort: [{ field: 'last_message_at', direction: -1 }],
      state: true,
      limit: 10,
      user_id: 'ann',
    }),
    () =>
      client.queryChannels(
        { type: TYPE, members: { $in: ['ann'] } },
        { last_message_at: -1 },
        { limit: 10, user_id: 'ann' },
      ),
    (result) => (Array.isArray(result) ? null : 'the SDK gave back no list of channels'),
  );
  await w.call(
    'channel.watch',
    ours('channels.get_or_create_channel', {
      ...IN_GENERAL,
      data: { created_by_id: 'ann' },
      state: true,
      messages: { limit: 10 },
    }),
    () => client.channel(TYPE, ID, { created_by_id: 'ann' }).watch({ messages: { limit: 10 } }),
    holding('channel'),
  );
  await w.call(
    'channel.create',
    ours('channels.get_or_create_channel', { ...IN_GENERAL, data: { created_by_id: 'ann' }, state: false }),
    () => client.channel(TYPE, ID, { created_by_id: 'ann' }).create(),
    holding('channel'),
  );
  // A channel named by its members, not by an id (a distinct channel).
  await w.call(
    'channel.query',
    ours('channels.get_or_create_distinct_channel', {
      type: TYPE,
      data: { members: ['ann', 'bob'], created_by_id: 'ann' },
      state: true,
    }),
    () => client.channel(TYPE, { members: ['ann', 'bob'], created_by_id: 'ann' }).query(),
    holding('channel'),
  );
  await w.call(
    'channel.update',
    ours('channels.update_channel', { ...IN_GENERAL, data: { name: 'General' } }),
    () => general().update({ name: 'General' }),
    holding('channel'),
  );
  await w.call(
    'channel.updatePartial',
    ours('channels.update_channel_partial', { ...IN_GENERAL, set: { color: 'blue' }, unset: ['topic'] }),
    () => general().updatePartial({ set: { color: 'blue' }, unset: ['topic'] }),
    holding('channel'),
  );
  await w.call(
    'channel.enableSlowMode',
    ours('channels.update_channel', { ...IN_GENERAL, cooldown: 30 }),
    () => general().enableSlowMode(30),
    holding('channel'),
  );
  await w.call(
    'channel.disableSlowMode',
    ours('channels.update_channel', { ...IN_GENERAL, cooldown: 0 }),
    () => general().disableSlowMode(),
    holding('channel'),
  );
  await w.call(
    'channel.delete',
    ours('channels.delete_channel', { ...IN_GENERAL, hard_delete: true }),
    () => general().delete({ hard_delete: true }),
    holding('channel'),
  );
  await w.call(
    'client.deleteChannels',
    ours('channels.delete_channels', { cids: ['messaging:old'], hard_delete: true }),
    () => client.deleteChannels(['messaging:old'], { hard_delete: true }),
    holding('result'),
  );
  await w.call(
    'channel.truncate',
    ours('channels.truncate_channel', { ...IN_GENERAL, hard_delete: true, skip_push: true }),
    () => general().truncate({ hard_delete: true, skip_push: true }),
    holding('channel'),
  );
  const membership = [
    ['channel.addMembers', 'add_members', ['ann', 'bob'], (c, v) => c.addMembers(v)],
    ['channel.removeMembers', 'remove_members', ['bob'], (c, v) => c.removeMembers(v)],
    ['channel.inviteMembers', 'invites', ['cat'], (c, v) => c.inviteMembers(v)],
    ['channel.addModerators', 'add_moderators', ['ann'], (c, v) => c.addModerators(v)],
    ['channel.demoteModerators', 'demote_moderators', ['ann'], (c, v) => c.demoteModerators(v)],
    [
      'channel.assignRoles',
      'assign_roles',
      [{ user_id: 'bob', channel_role: 'channel_moderator' }],
      (c, v) => c.assignRoles(v),
    ],
  ];
  for (const [name, field, value, make] of membership) {
    await w.call(
      name,
      ours('channels.update_channel', { ...IN_GENERAL, [field]: value }),
      () => make(general(), value),
      holding('channel'),
    );
  }
  await w.call(
    'channel.acceptInvite',
    ours('channels.update_channel', { ...IN_GENERAL, accept_invite: true, user_id: 'cat' }),
    () => general().acceptInvite({ user_id: 'cat' }),
    holding('channel'),
  );
  await w.call(
    'channel.rejectInvite',
    ours('channels.update_channel', { ...IN_GENERAL, reject_invite: true, user_id: 'cat' }),
    () => general().rejectInvite({ user_id: 'cat' }),
    holding('channel'),
  );
  await w.call(
    'channel.hide',
    ours('channels.hide_channel', { ...IN_GENERAL, user_id: 'ann', clear_history: false }),
    () => general().hide('ann'),
    holding('duration'),
  );
  await w.call(
    'channel.show',
    ours('channels.show_channel', { ...IN_GENERAL, user_id: 'ann' }),
    () => general().show('ann'),
    holding('duration'),
  );
  await w.call(
    'channel.markRead',
    ours('channels.mark_read', { ...IN_GENERAL, message_id: 'msg-1', user_id: 'ann' }),
    () => general().markRead({ message_id: 'msg-1', user_id: 'ann' }),
    holding('duration'),
  );
  await w.call(
    'channel.markUnread',
    ours('channels.mark_unread', { ...IN_GENERAL, message_id: 'msg-1', user_id: 'ann' }),
    () => general().markUnread({ message_id: 'msg-1', user_id: 'ann' }),
    holding('duration'),
  );
  await w.call(
    'client.markChannelsRead',
    ours('channels.mark_channels_read', { user_id: 'ann' }),
    () => client.markChannelsRead({ user_id: 'ann' }),
    nothing,
  );
  await w.call(
    'client.markAllRead',
    ours('channels.mark_channels_read', { user_id: 'bob' }),
    () => client.markAllRead({ user_id: 'bob' }),
    nothing,
  );
  await w.call(
    'channel.sendEvent',
    ours('channels.send_event', { ...IN_GENERAL, event: { type: 'typing.start', user_id: 'ann' } }),
    () => general().sendEvent({ type: 'typing.start', user_id: 'ann' }),
    holding('event'),
  );
  await w.call(
    'channel.keystroke',
    ours('channels.send_event', {
      ...IN_GENERAL,
      event: { type: 'typing.start', parent_id: 'msg-1', user_id: 'ann' },
    }),
    () => typing().keystroke('msg-1', { user_id: 'ann' }),
    nothing,
  );
  await w.call(
    'channel.stopTyping',
    ours('channels.send_event', {
      ...IN_GENERAL,
      event: { type: 'typing.stop', parent_id: 'msg-1', user_id: 'ann' },
    }),
    async () => {
      const channel = typing();
      channel.isTyping = true;
      return channel.stopTyping('msg-1', { user_id: 'ann' });
    },
    nothing,
  );
  await w.call(
    'channel.updateAIState',
    ours('channels.send_event', {
      ...IN_GENERAL,
      event: { type: 'ai_indicator.update', ai_state: 'AI_STATE_THINKING', message_id: 'msg-1' },
    }),
    () => general().updateAIState('msg-1', 'AI_STATE_THINKING'),
    nothing,
  );
  await w.call(
    'channel.clearAIIndicator',
    ours('channels.send_event', { ...IN_GENERAL, event: { type: 'ai_indicator.clear' } }),
    () => general().clearAIIndicator(),
    nothing,
  );
  await w.call(
    'channel.stopAIResponse',
    ours('channels.send_event', { ...IN_GENERAL, event: { type: 'ai_indicator.stop' } }),
    () => general().stopAIResponse(),
    nothing,
  );
  await w.call(
    'channel.queryMembers',
    ours('members.query_members', {
      payload: {
        type: TYPE,
        id: ID,
        filter_conditions: { name: { $autocomplete: 'An' } },
        sort: [{ field: 'created_at', direction: 1 }],
        limit: 10,
      },
    }),
    () => general().queryMembers({ name: { $autocomplete: 'An' } }, { created_at: 1 }, { limit: 10 }),
    holding('members'),
  );
  await rest();

  quirk(
    'Queries of channels carry watch: false and presence: false, options of client-side ' +
      "connections (they subscribe the connection to the channels and to their members' presence) " +
      'that the server-side API does not define.',
    'src/client.ts StreamChat.queryChannels; src/channel.ts Channel.watch, Channel.create',
    ['client.queryChannels', 'channel.watch', 'channel.create'],
    'body.watch',
    'body.presence',
  );
  quirk(
    'Queries of threads, and reading one, carry watch: true, an option of client-side connections ' +
      '(it subscribes the connection to the threads) that the server-side API does not define.',
    'src/client.ts StreamChat.queryThreads, StreamChat.getThread (watch: true among the defaults)',
    ['client.queryThreads', 'client.getThread'],
    'body.watch',
    'query.watch',
  );
  quirk(
    'Asking for a guest authenticates anonymously (Stream-Auth-Type: anonymous and no token), as an ' +
      'app without a user token does; the generated client signs every request with server ' +
      'credentials, which the API takes as well.',
    'src/client.ts StreamChat.setGuestUser (sets anonymous before its POST /guest), StreamChat._getToken',
    ['client.setGuestUser'],
    'auth',
  );
  quirk(
    'Muting or unmuting one user sends the user as target_id, a single-user spelling the API does ' +
      'not define; the API takes the users as the array target_ids, which the generated client sends.',
    'src/client.ts StreamChat.muteUser, StreamChat.unmuteUser',
    ['client.muteUser', 'client.unmuteUser'],
    'body.target_id',
    'body.target_ids',
  );
  quirk(
    'Muting or unmuting a channel sends it as channel_cid, a single-channel spelling the API does not ' +
      'define; the API takes the array channel_cids, which the generated client sends.',
    'src/channel.ts Channel.mute, Channel.unmute',
    ['channel.mute', 'channel.unmute'],
    'body.channel_cid',
    'body.channel_cids',
  );
  quirk(
    'Banning a user from one channel, and lifting that ban, names the channel by its type and id (in ' +
      'the body, and in the query), fields the API does not define for bans; the API takes the channel ' +
      'as channel_cid, which the generated client sends.',
    'src/channel.ts Channel.banUser, Channel.shadowBan, Channel.unbanUser, Channel.removeShadowBan',
    ['channel.banUser', 'channel.shadowBan', 'channel.unbanUser', 'channel.removeShadowBan'],
    'body.type',
    'body.id',
    'body.channel_cid',
    'query.type',
    'query.id',
    'query.channel_cid',
  );
  quirk(
    'Lifting a shadow ban sends shadow=true, a parameter the API does not define for lifting bans: the ' +
      'API lifts a shadow ban as it lifts any other, by the banned user (and channel).',
    'src/client.ts StreamChat.removeShadowBan; src/channel.ts Channel.removeShadowBan',
    ['client.removeShadowBan', 'channel.removeShadowBan'],
    'query.shadow',
  );
  quirk(
    'Running a message action sends the message id again, and the channel type and id, in the body, ' +
      'fields the API does not define (the message is named by the path).',
    'src/channel.ts Channel.sendAction',
    ['channel.sendAction'],
    'body.message_id',
    'body.id',
    'body.type',
  );
}

// A channel whose type sends typing events, as a query would have told the client.
function typing() {
  client.configs[CID] = { typing_events: true };
  return general();
}

// A channel as after a query: some calls of Channel refuse to run before one.
function initialized() {
  const channel = general();
  channel.initialized = true;
  return channel;
}

async function rest() {
  // Messages.
  await w.call(
    'channel.sendMessage',
    ours('messages.send_message', {
      ...IN_GENERAL,
      message: { text: 'Hello, Bob!', user_id: 'ann' },
      skip_push: true,
    }),
    () => general().sendMessage({ text: 'Hello, Bob!', user_id: 'ann' }, { skip_push: true }),
    holding('message'),
  );
  await w.call(
    'client.getMessage',
    ours('messages.get_message', { id: 'msg-1', show_deleted_message: true }),
    () => client.getMessage('msg-1', { show_deleted_message: true }),
    holding('message'),
  );
  await w.call(
    'channel.getMessagesById',
    ours('messages.get_many_messages', { ...IN_GENERAL, ids: ['msg-1', 'msg-2'] }),
    () => general().getMessagesById(['msg-1', 'msg-2']),
    holding('messages'),
  );
  await w.call(
    'client.updateMessage',
    ours('messages.update_message', {
      id: 'msg-1',
      message: { text: 'Hello again, Bob!', user_id: 'ann' },
    }),
    () => client.updateMessage({ id: 'msg-1', text: 'Hello again, Bob!', user_id: 'ann' }),
    holding('message'),
  );
  await w.call(
    'client.partialUpdateMessage',
    ours('messages.update_message_partial', {
      id: 'msg-1',
      set: { text: 'Hello again, Bob!' },
      unset: ['mood'],
      user: { id: 'ann' },
    }),
    () =>
      client.partialUpdateMessage('msg-1', { set: { text: 'Hello again, Bob!' }, unset: ['mood'] }, 'ann'),
    holding('message'),
  );
  await w.call(
    'client.pinMessage',
    ours('messages.update_message_partial', {
      id: 'msg-1',
      set: { pinned: true, pin_expires: null, pinned_at: null },
      user: { id: 'ann' },
    }),
    () => client.pinMessage('msg-1', null, 'ann'),
    holding('message'),
  );
  await w.call(
    'client.unpinMessage',
    ours('messages.update_message_partial', { id: 'msg-1', set: { pinned: false }, user: { id: 'ann' } }),
    () => client.unpinMessage('msg-1', 'ann'),
    holding('message'),
  );
  await w.call(
    'client.deleteMessage',
    ours('messages.delete_message', { id: 'msg-1', hard: true }),
    () => client.deleteMessage('msg-1', true),
    holding('message'),
  );
  await w.call(
    'client.undeleteMessage',
    ours('messages.undelete_message', { id: 'msg-1', undeleted_by: 'ann' }),
    () => client.undeleteMessage('msg-1', 'ann'),
    holding('message'),
  );
  await w.call(
    'client.commitMessage',
    ours('messages.commit_message', { id: 'msg-1' }),
    () => client.commitMessage('msg-1'),
    holding('message'),
  );
  await w.call(
    'client.translateMessage',
    ours('messages.translate_message', { id: 'msg-1', language: 'fr' }),
    () => client.translateMessage('msg-1', 'fr'),
    holding('message'),
  );
  await w.call(
    'channel.sendAction',
    ours('messages.run_message_action', { id: 'msg-1', form_data: { image_action: 'shuffle' } }),
    () => initialized().sendAction('msg-1', { image_action: 'shuffle' }),
    holding('message'),
  );
  await w.call(
    'client.search',
    ours('messages.search_messages', {
      payload: { filter_conditions: { type: TYPE }, limit: 5, query: 'hello' },
    }),
    () => client.search({ type: TYPE }, 'hello', { limit: 5 }),
    holding('results'),
  );
  await w.call(
    'channel.search',
    ours('messages.search_messages', {
      payload: { filter_conditions: { cid: CID }, limit: 5, query: 'hello' },
    }),
    () => general().search('hello', { limit: 5 }),
    holding('results'),
  );
  await w.call(
    'client.queryMessageHistory',
    ours('messages.query_message_history', {
      filter: { message_id: 'msg-1' },
      sort: [{ field: 'message_updated_at', direction: -1 }],
      limit: 10,
    }),
    () => client.queryMessageHistory({ message_id: 'msg-1' }, [{ message_updated_at: -1 }], { limit: 10 }),
    holding('message_history'),
  );
  await w.call(
    'channel.getReplies',
    ours('messages.get_replies', { parent_id: 'msg-1', limit: 10 }),
    () => general().getReplies('msg-1', { limit: 10 }),
    holding('messages'),
  );
  await w.call(
    'client.enrichURL',
    ours('messages.get_og', { url: 'https://example.com/blog' }),
    () => client.enrichURL('https://example.com/blog'),
    (result) => (result && typeof result === 'object' ? null : 'the SDK gave back no attachment'),
  );

  // Threads.
  const inGeneral = (thread) =>
    thread.channel && thread.channel.cid === CID ? null : 'the thread has no channel';
  await w.call(
    'client.queryThreads',
    ours('threads.query_threads', {
      filter: { channel_cid: CID },
      sort: [{ field: 'last_message_at', direction: -1 }],
      limit: 10,
      participant_limit: 10,
      reply_limit: 3,
      user_id: 'ann',
    }),
    () =>
      client.queryThreads({
        filter: { channel_cid: CID },
        sort: [{ last_message_at: -1 }],
        user_id: 'ann',
      }),
    (result) =>
      holding('threads')(result) ||
      (result.threads.length ? result.threads.map(inGeneral).find((p) => p) || null : 'no thread'),
  );
  await w.call(
    'client.getThread',
    ours('threads.get_thread', { message_id: 'msg-1', participant_limit: 100, reply_limit: 3 }),
    () => client.getThread('msg-1'),
    (thread) => (thread && thread.id === 'msg-1' ? inGeneral(thread) : 'the SDK gave back no thread'),
  );
  await w.call(
    'client.partialUpdateThread',
    ours('threads.update_thread_partial', { message_id: 'msg-1', set: { title: 'Plans' }, unset: ['topic'] }),
    () => client.partialUpdateThread('msg-1', { set: { title: 'Plans' }, unset: ['topic'] }),
    holding('thread'),
  );

  // Reactions.
  await w.call(
    'channel.sendReaction',
    ours('reactions.send_reaction', { id: 'msg-1', reaction: { type: 'love', user_id: 'ann' } }),
    () => general().sendReaction('msg-1', { type: 'love', user_id: 'ann' }),
    holding('reaction'),
  );
  await w.call(
    'channel.getReactions',
    ours('reactions.get_reactions', { id: 'msg-1', limit: 5 }),
    () => general().getReactions('msg-1', { limit: 5 }),
    holding('reactions'),
  );
  await w.call(
    'channel.deleteReaction',
    ours('reactions.delete_reaction', { id: 'msg-1', type: 'love', user_id: 'ann' }),
    () => initialized().deleteReaction('msg-1', 'love', 'ann'),
    holding('reaction'),
  );
  await w.call(
    'client.queryReactions',
    ours('reactions.query_reactions', {
      id: 'msg-1',
      filter: { type: 'love' },
      sort: [{ field: 'created_at', direction: -1 }],
      user_id: 'ann',
      limit: 10,
    }),
    () =>
      client.queryReactions('msg-1', { type: 'love' }, [{ created_at: -1 }], { user_id: 'ann', limit: 10 }),
    holding('reactions'),
  );

  // Files.
  const picture = path.basename(w.FILE);
  await w.call(
    'channel.sendFile',
    ours('files.upload_file', { ...IN_GENERAL, file: { $file: w.FILE }, user: { id: 'ann' } }),
    () => general().sendFile(require('fs').readFileSync(w.FILE), picture, 'image/png', { id: 'ann' }),
    holding('file'),
  );
  await w.call(
    'channel.sendImage',
    ours('files.upload_image', { ...IN_GENERAL, file: { $file: w.FILE }, user: { id: 'ann' } }),
    () => general().sendImage(require('fs').createReadStream(w.FILE), picture, 'image/png', { id: 'ann' }),
    holding('file'),
  );
  await w.call(
    'client.sendFile',
    ours('files.upload_image', { ...IN_GENERAL, file: { $file: w.FILE }, user: { id: 'bob' } }),
    () =>
      client.sendFile(
        `${client.baseURL}/channels/${TYPE}/${ID}/image`,
        require('fs').readFileSync(w.FILE),
        picture,
        'image/png',
        { id: 'bob' },
      ),
    holding('file'),
  );
  await w.call(
    'channel.deleteFile',
    ours('files.delete_file', { ...IN_GENERAL, url: UPLOADED }),
    () => general().deleteFile(UPLOADED),
    holding('duration'),
  );
  await w.call(
    'channel.deleteImage',
    ours('files.delete_image', { ...IN_GENERAL, url: UPLOADED }),
    () => general().deleteImage(UPLOADED),
    holding('duration'),
  );

  // Polls.
  const POLL = { name: 'Where to?', options: [{ text: 'Lisbon' }, { text: 'Oslo' }] };
  await w.call(
    'client.createPoll',
    ours('polls.create_poll', { ...POLL, user_id: 'ann' }),
    () => client.createPoll(POLL, 'ann'),
    holding('poll'),
  );
  await w.call(
    'client.getPoll',
    ours('polls.get_poll', { poll_id: 'poll-1', user_id: 'ann' }),
    () => client.getPoll('poll-1', 'ann'),
    holding('poll'),
  );
  await w.call(
    'client.updatePoll',
    ours('polls.update_poll', { id: 'poll-1', name: 'Where to?', user_id: 'ann' }),
    () => client.updatePoll({ id: 'poll-1', name: 'Where to?' }, 'ann'),
    holding('poll'),
  );
  await w.call(
    'client.partialUpdatePoll',
    ours('polls.update_poll_partial', { poll_id: 'poll-1', set: { name: 'Where now?' }, user_id: 'ann' }),
    () => client.partialUpdatePoll('poll-1', { set: { name: 'Where now?' } }, 'ann'),
    holding('poll'),
  );
  await w.call(
    'client.closePoll',
    ours('polls.update_poll_partial', { poll_id: 'poll-1', set: { is_closed: true }, user_id: 'ann' }),
    () => client.closePoll('poll-1', 'ann'),
    holding('poll'),
  );
  await w.call(
    'client.deletePoll',
    ours('polls.delete_poll', { poll_id: 'poll-1', user_id: 'ann' }),
    () => client.deletePoll('poll-1', 'ann'),
    holding('duration'),
  );
  await w.call(
    'client.createPollOption',
    ours('polls.create_poll_option', { poll_id: 'poll-1', text: 'Rome', user_id: 'ann' }),
    () => client.createPollOption('poll-1', { text: 'Rome' }, 'ann'),
    holding('poll_option'),
  );
  await w.call(
    'client.getPollOption',
    ours('polls.get_poll_option', { poll_id: 'poll-1', option_id: 'opt-1', user_id: 'ann' }),
    () => client.getPollOption('poll-1', 'opt-1', 'ann'),
    holding('poll_option'),
  );
  await w.call(
    'client.updatePollOption',
    ours('polls.update_poll_option', { poll_id: 'poll-1', id: 'opt-1', text: 'Roma', user_id: 'ann' }),
    () => client.updatePollOption('poll-1', { id: 'opt-1', text: 'Roma' }, 'ann'),
    holding('poll_option'),
  );
  await w.call(
    'client.deletePollOption',
    ours('polls.delete_poll_option', { poll_id: 'poll-1', option_id: 'opt-1', user_id: 'ann' }),
    () => client.deletePollOption('poll-1', 'opt-1', 'ann'),
    holding('duration'),
  );
  await w.call(
    'client.castPollVote',
    ours('polls.cast_poll_vote', {
      message_id: 'msg-1',
      poll_id: 'poll-1',
      vote: { option_id: 'opt-1' },
      user_id: 'ann',
    }),
    () => client.castPollVote('msg-1', 'poll-1', { option_id: 'opt-1' }, 'ann'),
    holding('vote'),
  );
  await w.call(
    'client.addPollAnswer',
    ours('polls.cast_poll_vote', {
      message_id: 'msg-1',
      poll_id: 'poll-1',
      vote: { answer_text: 'Anywhere warm' },
      user_id: 'bob',
    }),
    () => client.addPollAnswer('msg-1', 'poll-1', 'Anywhere warm', 'bob'),
    holding('vote'),
  );
  await w.call(
    'channel.vote',
    ours('polls.cast_poll_vote', { message_id: 'msg-1', poll_id: 'poll-1', vote: { option_id: 'opt-2' } }),
    () => general().vote('msg-1', 'poll-1', { option_id: 'opt-2' }),
    holding('vote'),
  );
  await w.call(
    'client.removePollVote',
    ours('polls.delete_poll_vote', { message_id: 'msg-1', poll_id: 'poll-1', vote_id: 'vote-1', user_id: 'ann' }),
    () => client.removePollVote('msg-1', 'poll-1', 'vote-1', 'ann'),
    holding('vote'),
  );
  await w.call(
    'channel.removeVote',
    ours('polls.delete_poll_vote', { message_id: 'msg-1', poll_id: 'poll-1', vote_id: 'vote-2' }),
    () => general().removeVote('msg-1', 'poll-1', 'vote-2'),
    holding('vote'),
  );
  await w.call(
    'client.queryPolls',
    ours('polls.query_polls', {
      user_id: 'ann',
      filter: { is_closed: false },
      sort: [{ field: 'created_at', direction: -1 }],
      limit: 10,
    }),
    () => client.queryPolls({ is_closed: false }, [{ created_at: -1 }], { limit: 10 }, 'ann'),
    holding('polls'),
  );
  await w.call(
    'client.queryPollVotes',
    ours('polls.query_poll_votes', {
      poll_id: 'poll-1',
      user_id: 'ann',
      filter: { option_id: 'opt-1' },
      sort: [{ field: 'created_at', direction: -1 }],
      limit: 10,
    }),
    () => client.queryPollVotes('poll-1', { option_id: 'opt-1' }, [{ created_at: -1 }], { limit: 10 }, 'ann'),
    holding('votes'),
  );
  await w.call(
    'client.queryPollAnswers',
    ours('polls.query_poll_votes', {
      poll_id: 'poll-1',
      user_id: 'ann',
      filter: { is_answer: true },
      sort: [],
      limit: 10,
    }),
    () => client.queryPollAnswers('poll-1', {}, [], { limit: 10 }, 'ann'),
    holding('votes'),
  );

  // Calls of video providers.
  await w.call(
    'channel.createCall',
    ours('calls.create_call', { ...IN_GENERAL, body_id: 'call-1', body_type: 'video' }),
    () => general().createCall({ id: 'call-1', type: 'video' }),
    holding('call', 'token'),
  );
  await w.call(
    'client.getCallToken',
    ours('calls.get_call_token_for_call', { call_id: 'call-1', user_id: 'ann' }),
    () => client.getCallToken('call-1', { user_id: 'ann' }),
    holding('token'),
  );

  // Devices and push.
  await w.call(
    'client.addDevice',
    ours('devices.create_device', { id: 'device-1', push_provider: 'firebase', user_id: 'ann' }),
    () => client.addDevice('device-1', 'firebase', 'ann'),
    holding('duration'),
  );
  await w.call(
    'client.getDevices',
    ours('devices.list_devices', { user_id: 'ann' }),
    () => client.getDevices('ann'),
    holding('devices'),
  );
  await w.call(
    'client.removeDevice',
    ours('devices.delete_device', { id: 'device-1', user_id: 'ann' }),
    () => client.removeDevice('device-1', 'ann'),
    holding('duration'),
  );
  await w.call(
    'client.testPushSettings',
    ours('push.check_push', { user_id: 'ann', message_id: 'msg-1', skip_devices: true }),
    () => client.testPushSettings('ann', { messageID: 'msg-1', skipDevices: true }),
    holding('duration'),
  );
  const FIREBASE = { name: 'firebase-main', type: 'firebase', firebase_server_key: 'server-key' };
  await w.call(
    'client.upsertPushProvider',
    ours('push.upsert_push_provider', { push_provider: FIREBASE }),
    () => client.upsertPushProvider(FIREBASE),
    holding('push_provider'),
  );
  await w.call(
    'client.listPushProviders',
    ours('push.list_push_providers'),
    () => client.listPushProviders(),
    holding('push_providers'),
  );
  await w.call(
    'client.deletePushProvider',
    ours('push.delete_push_provider', { type: 'firebase', name: 'firebase-main' }),
    () => client.deletePushProvider({ type: 'firebase', name: 'firebase-main' }),
    holding('duration'),
  );

  // App settings.
  await w.call('client.getAppSettings', ours('app_settings.get_app'), () => client.getAppSettings(), holding('app'));
  await w.call(
    'client.updateAppSettings',
    ours('app_settings.update_app', {
      disable_auth_checks: false,
      webhook_url: 'https://example.com/hooks/stream',
    }),
    () => client.updateAppSettings({ disable_auth_checks: false, webhook_url: 'https://example.com/hooks/stream' }),
    holding('duration'),
  );
  await w.call(
    'client.getRateLimits',
    ours('app_settings.get_rate_limits', { server_side: true, endpoints: 'QueryChannels,SendMessage' }),
    () => client.getRateLimits({ serverSide: true, endpoints: ['QueryChannels', 'SendMessage'] }),
    holding('server_side'),
  );
  const SQS_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/stream-events';
  await w.call(
    'client.testSQSSettings',
    ours('app_settings.check_sqs', { sqs_key: 'AKIA-KEY', sqs_secret: 'sqs-secret', sqs_url: SQS_URL }),
    () => client.testSQSSettings({ sqs_key: 'AKIA-KEY', sqs_secret: 'sqs-secret', sqs_url: SQS_URL }),
    holding('status'),
  );
  const SNS_TOPIC = 'arn:aws:sns:us-east-1:123456789012:stream-events';
  await w.call(
    'client.testSNSSettings',
    ours('app_settings.check_sns', { sns_key: 'AKIA-KEY', sns_secret: 'sns-secret', sns_topic_arn: SNS_TOPIC }),
    () => client.testSNSSettings({ sns_key: 'AKIA-KEY', sns_secret: 'sns-secret', sns_topic_arn: SNS_TOPIC }),
    holding('status'),
  );

  // Channel types and commands.
  const SUPPORT = { name: 'support', commands: ['all'], max_message_length: 5000, automod: 'disabled', automod_behavior: 'flag' };
  await w.call(
    'client.createChannelType',
    ours('channel_types.create_channel_type', SUPPORT),
    () => client.createChannelType({ ...SUPPORT }),
    holding('name'),
  );
  await w.call(
    'client.getChannelType',
    ours('channel_types.get_channel_type', { name: 'support' }),
    () => client.getChannelType('support'),
    holding('name'),
  );
  await w.call(
    'client.listChannelTypes',
    ours('channel_types.list_channel_types'),
    () => client.listChannelTypes(),
    holding('channel_types'),
  );
  await w.call(
    'client.updateChannelType',
    ours('channel_types.update_channel_type', { name: 'support', max_message_length: 5000, automod: 'simple', automod_behavior: 'flag', replies: false }),
    () => client.updateChannelType('support', { max_message_length: 5000, automod: 'simple', automod_behavior: 'flag', replies: false }),
    holding('name'),
  );
  await w.call(
    'client.deleteChannelType',
    ours('channel_types.delete_channel_type', { name: 'support' }),
    () => client.deleteChannelType('support'),
    holding('duration'),
  );
  const TICKET = { name: 'ticket', description: 'Open a support ticket', args: '[description]' };
  await w.call('client.createCommand', ours('commands.create_command', TICKET), () => client.createCommand({ ...TICKET }), holding('command'));
  await w.call('client.getCommand', ours('commands.get_command', { name: 'ticket' }), () => client.getCommand('ticket'), holding('name'));
  await w.call('client.listCommands', ours('commands.list_commands'), () => client.listCommands(), holding('commands'));
  await w.call(
    'client.updateCommand',
    ours('commands.update_command', { name: 'ticket', description: 'Open a ticket', set: 'support' }),
    () => client.updateCommand('ticket', { description: 'Open a ticket', set: 'support' }),
    holding('command'),
  );
  await w.call('client.deleteCommand', ours('commands.delete_command', { name: 'ticket' }), () => client.deleteCommand('ticket'), holding('name'));

  // Roles, permissions and blocklists.
  await w.call('client.createRole', ours('permissions.create_role', { name: 'editor' }), () => client.createRole('editor'), holding('role'));
  await w.call('client.listRoles', ours('permissions.list_roles'), () => client.listRoles(), holding('roles'));
  await w.call('client.deleteRole', ours('permissions.delete_role', { name: 'editor' }), () => client.deleteRole('editor'), holding('duration'));
  await w.call('client.getPermission', ours('permissions.get_permission', { id: 'read-channel' }), () => client.getPermission('read-channel'), holding('permission'));
  await w.call('client.listPermissions', ours('permissions.list_permissions'), () => client.listPermissions(), holding('permissions'));
  await w.call(
    'client.createBlockList',
    ours('blocklists.create_block_list', { name: 'profanity', words: ['darn'] }),
    () => client.createBlockList({ name: 'profanity', words: ['darn'] }),
    holding('duration'),
  );
  await w.call('client.getBlockList', ours('blocklists.get_block_list', { name: 'profanity' }), () => client.getBlockList('profanity'), holding('blocklist'));
  await w.call('client.listBlockLists', ours('blocklists.list_block_lists'), () => client.listBlockLists(), holding('blocklists'));
  await w.call(
    'client.updateBlockList',
    ours('blocklists.update_block_list', { name: 'profanity', words: ['darn', 'heck'] }),
    () => client.updateBlockList('profanity', { words: ['darn', 'heck'] }),
    holding('duration'),
  );
  await w.call('client.deleteBlockList', ours('blocklists.delete_block_list', { name: 'profanity' }), () => client.deleteBlockList('profanity'), holding('duration'));

  // Exports and tasks.
  await w.call(
    'client.exportChannel',
    ours('exports.export_channels', { channels: [IN_GENERAL] }),
    () => client.exportChannel(IN_GENERAL),
    holding('task_id'),
  );
  await w.call(
    'client.exportChannels',
    ours('exports.export_channels', { channels: [IN_GENERAL], clear_deleted_message_text: true }),
    () => client.exportChannels([IN_GENERAL], { clear_deleted_message_text: true }),
    holding('task_id'),
  );
  await w.call(
    'client.getExportChannelStatus',
    ours('exports.get_export_channels_status', { id: 'task-1' }),
    () => client.getExportChannelStatus('task-1'),
    holding('status'),
  );
  await w.call('client.getTask', ours('tasks.get_task', { id: 'task-1' }), () => client.getTask('task-1'), holding('status'));
}

main().catch((error) => {
  process.stderr.write(String((error && error.stack) || error) + '\n');
  process.exit(1);
});
