"""Stream's official Python SDK, stream-chat, as a witness of specs/stream.yaml.

Every public method of the SDK's synchronous client (`StreamChat`) and of its `Channel` is either
made against the recording server, next to the same call through the generated client, or
skipped because it sends no request or reaches an endpoint the spec has no operation for. The
SDK's raw transport methods (`get`, `post`, `put`, `patch`, `delete`) are made too, each on an
operation the SDK has no method of its own for.

The SDK authenticates as the generated client does: a server token (`{"server": true}`) signed
with the secret, unprefixed in `Authorization`, with `Stream-Auth-Type: jwt` and the key in the
`api_key` query parameter.
"""

from __future__ import annotations

import inspect
import os
from typing import Any

import _witness as w
from stream_chat import StreamChat
from stream_chat.channel import Channel

client = StreamChat(api_key=w.KEY, api_secret=w.SECRET, base_url=w.URL)

TYPE, ID = "messaging", "general"
CID = f"{TYPE}:{ID}"
IN_GENERAL = {"type": TYPE, "id": ID}
SINCE = "2026-01-01T00:00:00Z"
PICTURE = os.path.basename(w.FILE)
UPLOADED = "https://us-east.stream-io-cdn.com/1234/images/pixel.png"


def general() -> Channel:
    """The channel the calls act on, made afresh for each call: a `Channel` keeps state from
    its calls (`create` adds its creator to the data `query` sends, `accept_invite` keeps the
    channel it is answered)."""
    return client.channel(TYPE, ID)


def holding(*keys: str) -> w.Check:
    """A check: the SDK gave back the answer, an object with these members."""

    def check(result: Any) -> str | None:
        if not isinstance(result, dict):
            return f"the SDK gave back {type(result).__name__}, not the answer"
        missing = [key for key in keys if key not in result]
        return f"the answer has no {', '.join(missing)}" if missing else None

    return check


def members_list(result: Any) -> str | None:
    """The check of `Channel.query_members`, which gives back the answer's list of members."""
    if not isinstance(result, list):
        return f"the SDK gave back {type(result).__name__}, not the members"
    return None


def skip_all(names: list[str], why: str) -> None:
    for name in names:
        w.skip(name, why)


def quirk(what: str, evidence: str, calls: tuple[str, ...], *places: str) -> None:
    """One way the SDK differs from the spec, showing at each of `places` in `calls`."""
    for place in places:
        w.quirk(place, what, evidence, calls)


def offered(cls: type, prefix: str) -> list[str]:
    """The public methods of `cls`, inherited ones included, as "<prefix>.<method>"."""
    return [
        f"{prefix}.{name}"
        for name, _ in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    ]


w.inventory(offered(StreamChat, "client") + offered(Channel, "channel"))

# Calls that send no request.
w.skip("client.create_token", "signs a user token locally; no request")
w.skip("client.verify_webhook", "checks a webhook's signature locally; no request")
w.skip("client.verify_and_parse_webhook", "checks and decodes a webhook locally; no request")
w.skip("client.parse_sqs", "decodes an SQS message body locally; no request")
w.skip("client.parse_sns", "decodes an SNS notification locally; no request")
w.skip("client.normalize_sort", "rewrites sort options locally; no request")
w.skip("client.create_search_params", "builds the search payload locally; no request")
w.skip("client.get_default_params", "gives the api_key query parameter; no request")
w.skip("client.set_http_session", "replaces the requests session; no request")
w.skip("client.channel", "makes a Channel object; no request (its methods are made below)")
w.skip("client.campaign", "makes a Campaign object; no request")
w.skip("client.segment", "makes a Segment object; no request")
w.skip("client.channel_batch_updater", "makes a ChannelBatchUpdater object; no request")

# Calls whose endpoint the spec has no operation for.
skip_all(
    [
        "client.create_campaign",
        "client.get_campaign",
        "client.query_campaigns",
        "client.update_campaign",
        "client.delete_campaign",
        "client.start_campaign",
        "client.stop_campaign",
        "client.test_campaign",
    ],
    "no operation in the spec: campaigns (/campaigns, /campaigns/{id}, its start, stop and test)",
)
skip_all(
    [
        "client.create_segment",
        "client.get_segment",
        "client.query_segments",
        "client.update_segment",
        "client.delete_segment",
        "client.segment_target_exists",
        "client.add_segment_targets",
        "client.query_segment_targets",
        "client.remove_segment_targets",
    ],
    "no operation in the spec: segments (/segments, /segments/{id} and their targets)",
)
skip_all(
    ["client.create_reminder", "client.update_reminder", "client.delete_reminder"],
    "no operation in the spec: message reminders (/messages/{id}/reminders)",
)
w.skip("client.query_reminders", "no operation in the spec: POST /reminders/query")
w.skip("client.query_drafts", "no operation in the spec: POST /drafts/query")
skip_all(
    ["channel.create_draft", "channel.get_draft", "channel.delete_draft"],
    "no operation in the spec: drafts (/channels/{type}/{id}/draft)",
)
skip_all(
    ["client.get_user_locations", "client.update_user_location"],
    "no operation in the spec: live locations (/users/live_locations)",
)
skip_all(
    ["client.mark_delivered", "client.mark_delivered_simple"],
    "no operation in the spec: delivery receipts (POST /channels/delivered)",
)
w.skip("client.update_channels_batch", "no operation in the spec: PUT /channels/batch")
w.skip("client.query_team_usage_stats", "no operation in the spec: POST /stats/team_usage")
w.skip(
    "client.query_future_channel_bans",
    "no operation in the spec: GET /query_future_channel_bans",
)
skip_all(
    ["client.unflag_message", "client.unflag_user"],
    "no operation in the spec: POST /moderation/unflag",
)
w.skip(
    "client.delete_user",
    "no operation in the spec: DELETE /users/{user_id} (the spec deletes users only in bulk, "
    "POST /users/delete, made by client.delete_users)",
)
w.skip("client.create_permission", "no operation in the spec: POST /permissions")
skip_all(
    ["client.update_permission", "client.delete_permission"],
    "no operation in the spec: PUT and DELETE /permissions/{id} (the spec only reads them)",
)
skip_all(
    [
        "channel.pin",
        "channel.unpin",
        "channel.archive",
        "channel.unarchive",
        "channel.update_member_partial",
    ],
    "no operation in the spec: PATCH /channels/{type}/{id}/member/{user_id}",
)

# The raw transport, each method on an operation the SDK has no wrapper for.
w.call(
    "client.get",
    w.ours("threads.get_thread", message_id="msg-1", reply_limit=10),
    lambda: client.get("threads/msg-1", {"reply_limit": 10}),
    holding("thread"),
)
w.call(
    "client.post",
    w.ours("users.reactivate_users", user_ids=["bob", "cat"], restore_messages=True),
    lambda: client.post(
        "users/reactivate", data={"user_ids": ["bob", "cat"], "restore_messages": True}
    ),
    holding("task_id"),
)
w.call(
    "client.put",
    w.ours("polls.update_poll", id="poll-1", name="Where to?", user_id="ann"),
    lambda: client.put("polls", data={"id": "poll-1", "name": "Where to?", "user_id": "ann"}),
    holding("poll"),
)
w.call(
    "client.patch",
    w.ours("threads.update_thread_partial", message_id="msg-1", set={"title": "Plans"}),
    lambda: client.patch("threads/msg-1", data={"set": {"title": "Plans"}}),
    holding("thread"),
)
w.call(
    "client.delete",
    w.ours("polls.delete_poll", poll_id="poll-1", user_id="ann"),
    lambda: client.delete("polls/poll-1", {"user_id": "ann"}),
    holding("duration"),
)

# Users.
ANN = {"id": "ann", "name": "Ann Lee", "role": "user"}
BOB = {"id": "bob", "name": "Bob Stone", "role": "user"}
w.call(
    "client.upsert_user",
    w.ours("users.upsert_users", users={"ann": ANN}),
    lambda: client.upsert_user(ANN),
    holding("users"),
)
w.call(
    "client.upsert_users",
    w.ours("users.upsert_users", users={"ann": ANN, "bob": BOB}),
    lambda: client.upsert_users([ANN, BOB]),
    holding("users"),
)
w.call(
    "client.update_user",
    w.ours("users.upsert_users", users={"bob": BOB}),
    lambda: client.update_user(BOB),
    holding("users"),
)
w.call(
    "client.update_users",
    w.ours("users.upsert_users", users={"ann": ANN, "bob": BOB}),
    lambda: client.update_users([ANN, BOB]),
    holding("users"),
)
RENAME = {"id": "ann", "set": {"name": "Ann B. Lee"}, "unset": ["nickname"]}
w.call(
    "client.update_user_partial",
    w.ours("users.update_users_partial", users=[RENAME]),
    lambda: client.update_user_partial(RENAME),
    holding("users"),
)
w.call(
    "client.update_users_partial",
    w.ours("users.update_users_partial", users=[RENAME, {"id": "bob", "set": {"role": "admin"}}]),
    lambda: client.update_users_partial([RENAME, {"id": "bob", "set": {"role": "admin"}}]),
    holding("users"),
)
w.call(
    "client.query_users",
    w.ours(
        "users.query_users",
        payload={
            "filter_conditions": {"id": {"$in": ["ann", "bob"]}},
            "sort": [{"field": "created_at", "direction": -1}],
            "limit": 10,
        },
    ),
    lambda: client.query_users({"id": {"$in": ["ann", "bob"]}}, {"created_at": -1}, limit=10),
    holding("users"),
)
w.call(
    "client.set_guest_user",
    w.ours("users.create_guest", user={"id": "guest-1", "name": "Guest"}),
    lambda: client.set_guest_user({"id": "guest-1", "name": "Guest"}),
    holding("access_token", "user"),
)
w.call(
    "client.delete_users",
    w.ours("users.delete_users", user_ids=["bob"], user="soft", messages="hard"),
    lambda: client.delete_users(["bob"], "soft", messages="hard"),
    holding("task_id"),
)
w.call(
    "client.restore_users",
    w.ours("users.restore_users", user_ids=["bob"]),
    lambda: client.restore_users(["bob"]),
    holding("duration"),
)
w.call(
    "client.deactivate_user",
    w.ours("users.deactivate_user", user_id="bob", mark_messages_deleted=True, created_by_id="ann"),
    lambda: client.deactivate_user("bob", mark_messages_deleted=True, created_by_id="ann"),
    holding("user"),
)
w.call(
    "client.deactivate_users",
    w.ours("users.deactivate_users", user_ids=["bob", "cat"], mark_channels_deleted=True),
    lambda: client.deactivate_users(["bob", "cat"], mark_channels_deleted=True),
    holding("task_id"),
)
w.call(
    "client.reactivate_user",
    w.ours("users.reactivate_user", user_id="bob", restore_messages=True, name="Bob Stone"),
    lambda: client.reactivate_user("bob", restore_messages=True, name="Bob Stone"),
    holding("user"),
)
w.call(
    "client.export_user",
    w.ours("exports.export_user", user_id="ann"),
    lambda: client.export_user("ann"),
    holding("user"),
)
w.call(
    "client.export_users",
    w.ours("exports.export_users", user_ids=["ann", "bob"]),
    lambda: client.export_users(["ann", "bob"]),
    holding("task_id"),
)
w.call(
    "client.block_user",
    w.ours("users.block_user", blocked_user_id="bob", user_id="ann"),
    lambda: client.block_user("bob", "ann"),
    holding("blocked_user_id"),
)
w.call(
    "client.unblock_user",
    w.ours("users.unblock_user", blocked_user_id="bob", user_id="ann"),
    lambda: client.unblock_user("bob", "ann"),
    holding("duration"),
)
w.call(
    "client.get_blocked_users",
    w.ours("users.get_blocked_users", user_id="ann"),
    lambda: client.get_blocked_users("ann"),
    holding("blocks"),
)
FRIENDSHIP = {"type": "friendship_request", "custom": {"from": "bob"}}
w.call(
    "client.send_user_custom_event",
    w.ours("users.send_user_custom_event", user_id="ann", event=FRIENDSHIP),
    lambda: client.send_user_custom_event("ann", FRIENDSHIP),
    holding("duration"),
)
w.call(
    "client.revoke_user_token",
    w.ours(
        "users.update_users_partial",
        users=[{"id": "ann", "set": {"revoke_tokens_issued_before": SINCE}}],
    ),
    lambda: client.revoke_user_token("ann", SINCE),
    holding("users"),
)
w.call(
    "client.revoke_users_token",
    w.ours(
        "users.update_users_partial",
        users=[
            {"id": "ann", "set": {"revoke_tokens_issued_before": SINCE}},
            {"id": "bob", "set": {"revoke_tokens_issued_before": SINCE}},
        ],
    ),
    lambda: client.revoke_users_token(["ann", "bob"], SINCE),
    holding("users"),
)
w.call(
    "client.revoke_tokens",
    w.ours("app_settings.update_app", revoke_tokens_issued_before=SINCE),
    lambda: client.revoke_tokens(SINCE),
    holding("duration"),
)
w.call(
    "client.unread_counts",
    w.ours("channels.get_unread_counts", user_id="ann"),
    lambda: client.unread_counts("ann"),
    holding("total_unread_count"),
)
w.call(
    "client.unread_counts_batch",
    w.ours("channels.batch_unread_counts", user_ids=["ann", "bob"]),
    lambda: client.unread_counts_batch(["ann", "bob"]),
    holding("counts_by_user"),
)

# Moderation.
w.call(
    "client.ban_user",
    w.ours("moderation.ban_user", target_user_id="bob", banned_by_id="ann", reason="spam"),
    lambda: client.ban_user("bob", banned_by_id="ann", reason="spam"),
    holding("duration"),
)
w.call(
    "client.shadow_ban",
    w.ours("moderation.ban_user", target_user_id="bob", shadow=True, banned_by_id="ann"),
    lambda: client.shadow_ban("bob", banned_by_id="ann"),
    holding("duration"),
)
w.call(
    "client.unban_user",
    w.ours("moderation.unban_user", target_user_id="bob"),
    lambda: client.unban_user("bob"),
    holding("duration"),
)
w.call(
    "client.remove_shadow_ban",
    w.ours("moderation.unban_user", target_user_id="bob"),
    lambda: client.remove_shadow_ban("bob"),
    holding("duration"),
)
w.call(
    "channel.ban_user",
    w.ours(
        "moderation.ban_user",
        target_user_id="bob",
        channel_cid=CID,
        banned_by_id="ann",
        timeout_=60,
    ),
    lambda: general().ban_user("bob", banned_by_id="ann", timeout=60),
    holding("duration"),
)
w.call(
    "channel.unban_user",
    w.ours("moderation.unban_user", target_user_id="bob", channel_cid=CID),
    lambda: general().unban_user("bob"),
    holding("duration"),
)
w.call(
    "client.query_banned_users",
    w.ours(
        "moderation.query_banned_users",
        payload={"filter_conditions": {"channel_cid": CID}, "limit": 10},
    ),
    lambda: client.query_banned_users({"filter_conditions": {"channel_cid": CID}, "limit": 10}),
    holding("bans"),
)
w.call(
    "client.mute_user",
    w.ours("moderation.mute_user", target_ids=["bob"], user_id="ann", timeout_=60),
    lambda: client.mute_user("bob", "ann", timeout=60),
    holding("duration"),
)
w.call(
    "client.mute_users",
    w.ours("moderation.mute_user", target_ids=["bob", "cat"], user_id="ann"),
    lambda: client.mute_users(["bob", "cat"], "ann"),
    holding("duration"),
)
w.call(
    "client.unmute_user",
    w.ours("moderation.unmute_user", target_ids=["bob"], user_id="ann"),
    lambda: client.unmute_user("bob", "ann"),
    holding("duration"),
)
w.call(
    "client.unmute_users",
    w.ours("moderation.unmute_user", target_ids=["bob", "cat"], user_id="ann"),
    lambda: client.unmute_users(["bob", "cat"], "ann"),
    holding("duration"),
)
w.call(
    "channel.mute",
    w.ours("moderation.mute_channel", channel_cids=[CID], user_id="ann", expiration=3600000),
    lambda: general().mute("ann", expiration=3600000),
    holding("duration"),
)
w.call(
    "channel.unmute",
    w.ours("moderation.unmute_channel", channel_cids=[CID], user_id="ann"),
    lambda: general().unmute("ann"),
    holding("duration"),
)
w.call(
    "client.flag_message",
    w.ours("moderation.flag", target_message_id="msg-1", user_id="ann", reason="spam"),
    lambda: client.flag_message("msg-1", user_id="ann", reason="spam"),
    holding("duration"),
)
w.call(
    "client.flag_user",
    w.ours("moderation.flag", target_user_id="bob", user_id="ann"),
    lambda: client.flag_user("bob", user_id="ann"),
    holding("duration"),
)
w.call(
    "client.query_message_flags",
    w.ours(
        "moderation.query_message_flags",
        payload={"limit": 10, "filter_conditions": {"channel_cid": CID}},
    ),
    lambda: client.query_message_flags({"channel_cid": CID}, limit=10),
    holding("flags"),
)

# Channels.
w.call(
    "client.query_channels",
    w.ours(
        "channels.query_channels",
        filter_conditions={"type": TYPE, "members": {"$in": ["ann"]}},
        sort=[{"field": "last_message_at", "direction": -1}],
        state=True,
        limit=10,
        user_id="ann",
    ),
    lambda: client.query_channels(
        {"type": TYPE, "members": {"$in": ["ann"]}},
        {"last_message_at": -1},
        limit=10,
        user_id="ann",
    ),
    holding("channels"),
)
w.call(
    "channel.create",
    w.ours(
        "channels.get_or_create_channel",
        **IN_GENERAL,
        data={"created_by": {"id": "ann"}},
        state=False,
    ),
    lambda: general().create("ann"),
    holding("channel"),
)
w.call(
    "channel.query",
    w.ours(
        "channels.get_or_create_channel",
        **IN_GENERAL,
        data={},
        state=True,
        messages={"limit": 10},
    ),
    lambda: general().query(messages={"limit": 10}),
    holding("channel"),
)
w.call(
    "channel.update",
    w.ours("channels.update_channel", **IN_GENERAL, data={"name": "General"}, message=None),
    lambda: general().update({"name": "General"}),
    holding("channel"),
)
w.call(
    "channel.update_partial",
    w.ours("channels.update_channel_partial", **IN_GENERAL, set={"color": "blue"}, unset=["topic"]),
    lambda: general().update_partial({"color": "blue"}, ["topic"]),
    holding("channel"),
)
w.call(
    "channel.delete",
    w.ours("channels.delete_channel", **IN_GENERAL, hard_delete=False),
    lambda: general().delete(),
    holding("channel"),
)
w.call(
    "client.delete_channels",
    w.ours("channels.delete_channels", cids=["messaging:old"], hard_delete=True),
    lambda: client.delete_channels(["messaging:old"], hard_delete=True),
    holding("result"),
)
w.call(
    "channel.truncate",
    w.ours("channels.truncate_channel", **IN_GENERAL, hard_delete=True, skip_push=True),
    lambda: general().truncate(hard_delete=True, skip_push=True),
    holding("channel"),
)
w.call(
    "channel.add_members",
    w.ours("channels.update_channel", **IN_GENERAL, add_members=["ann", "bob"], message=None),
    lambda: general().add_members(["ann", "bob"]),
    holding("channel"),
)
w.call(
    "channel.remove_members",
    w.ours("channels.update_channel", **IN_GENERAL, remove_members=["bob"], message=None),
    lambda: general().remove_members(["bob"]),
    holding("channel"),
)
w.call(
    "channel.invite_members",
    w.ours("channels.update_channel", **IN_GENERAL, invites=["cat"], message=None),
    lambda: general().invite_members(["cat"]),
    holding("channel"),
)
w.call(
    "channel.add_moderators",
    w.ours("channels.update_channel", **IN_GENERAL, add_moderators=["ann"], message=None),
    lambda: general().add_moderators(["ann"]),
    holding("channel"),
)
w.call(
    "channel.demote_moderators",
    w.ours("channels.update_channel", **IN_GENERAL, demote_moderators=["ann"], message=None),
    lambda: general().demote_moderators(["ann"]),
    holding("channel"),
)
ROLES = [{"user_id": "bob", "channel_role": "channel_moderator"}]
w.call(
    "channel.assign_roles",
    w.ours("channels.update_channel", **IN_GENERAL, assign_roles=ROLES, message=None),
    lambda: general().assign_roles(ROLES),
    holding("channel"),
)
w.call(
    "channel.add_filter_tags",
    w.ours("channels.update_channel", **IN_GENERAL, add_filter_tags=["vip"], message=None),
    lambda: general().add_filter_tags(["vip"]),
    holding("channel"),
)
w.call(
    "channel.remove_filter_tags",
    w.ours("channels.update_channel", **IN_GENERAL, remove_filter_tags=["vip"], message=None),
    lambda: general().remove_filter_tags(["vip"]),
    holding("channel"),
)
w.call(
    "channel.accept_invite",
    w.ours("channels.update_channel", **IN_GENERAL, user={"id": "cat"}, accept_invite=True),
    lambda: general().accept_invite("cat"),
    holding("channel"),
)
w.call(
    "channel.reject_invite",
    w.ours("channels.update_channel", **IN_GENERAL, user={"id": "cat"}, reject_invite=True),
    lambda: general().reject_invite("cat"),
    holding("channel"),
)
w.call(
    "channel.hide",
    w.ours("channels.hide_channel", **IN_GENERAL, user_id="ann"),
    lambda: general().hide("ann"),
    holding("duration"),
)
w.call(
    "channel.show",
    w.ours("channels.show_channel", **IN_GENERAL, user_id="ann"),
    lambda: general().show("ann"),
    holding("duration"),
)
w.call(
    "channel.mark_read",
    w.ours("channels.mark_read", **IN_GENERAL, message_id="msg-1", user={"id": "ann"}),
    lambda: general().mark_read("ann", message_id="msg-1"),
    holding("duration"),
)
w.call(
    "channel.mark_unread",
    w.ours("channels.mark_unread", **IN_GENERAL, message_id="msg-1", user={"id": "ann"}),
    lambda: general().mark_unread("ann", message_id="msg-1"),
    holding("duration"),
)
w.call(
    "client.mark_all_read",
    w.ours("channels.mark_channels_read", user={"id": "ann"}),
    lambda: client.mark_all_read("ann"),
    holding("duration"),
)
w.call(
    "channel.send_event",
    w.ours(
        "channels.send_event",
        **IN_GENERAL,
        event={"type": "typing.start", "user": {"id": "ann"}},
    ),
    lambda: general().send_event({"type": "typing.start"}, "ann"),
    holding("event"),
)
w.call(
    "channel.query_members",
    w.ours(
        "members.query_members",
        payload={
            "id": ID,
            "type": TYPE,
            "filter_conditions": {"name": {"$autocomplete": "An"}},
            "sort": [{"field": "created_at", "direction": 1}],
            "limit": 10,
        },
    ),
    lambda: general().query_members({"name": {"$autocomplete": "An"}}, {"created_at": 1}, limit=10),
    members_list,
)

# Messages.
w.call(
    "channel.send_message",
    w.ours(
        "messages.send_message",
        **IN_GENERAL,
        message={"text": "Hello, Bob!", "user": {"id": "ann"}},
        skip_push=True,
    ),
    lambda: general().send_message({"text": "Hello, Bob!"}, "ann", skip_push=True),
    holding("message"),
)
w.call(
    "client.get_message",
    w.ours("messages.get_message", id="msg-1", show_deleted_message=True),
    lambda: client.get_message("msg-1", show_deleted_message=True),
    holding("message"),
)
w.call(
    "channel.get_messages",
    w.ours("messages.get_many_messages", **IN_GENERAL, ids=["msg-1", "msg-2"]),
    lambda: general().get_messages(["msg-1", "msg-2"]),
    holding("messages"),
)
EDITED = {"id": "msg-1", "text": "Hello again, Bob!", "user_id": "ann"}
w.call(
    "client.update_message",
    w.ours("messages.update_message", id="msg-1", message=EDITED),
    lambda: client.update_message(EDITED),
    holding("message"),
)
w.call(
    "client.update_message_partial",
    w.ours(
        "messages.update_message_partial",
        id="msg-1",
        set={"text": "Hello again, Bob!"},
        unset=["mood"],
        user={"id": "ann"},
    ),
    lambda: client.update_message_partial(
        "msg-1", {"set": {"text": "Hello again, Bob!"}, "unset": ["mood"]}, "ann"
    ),
    holding("message"),
)
w.call(
    "client.pin_message",
    w.ours(
        "messages.update_message_partial",
        id="msg-1",
        set={"pinned": True, "pin_expires": None},
        user={"id": "ann"},
    ),
    lambda: client.pin_message("msg-1", "ann"),
    holding("message"),
)
w.call(
    "client.unpin_message",
    w.ours(
        "messages.update_message_partial",
        id="msg-1",
        set={"pinned": False},
        user={"id": "ann"},
    ),
    lambda: client.unpin_message("msg-1", "ann"),
    holding("message"),
)
w.call(
    "client.delete_message",
    w.ours("messages.delete_message", id="msg-1", hard=True),
    lambda: client.delete_message("msg-1", hard=True),
    holding("message"),
)
w.call(
    "client.undelete_message",
    w.ours("messages.undelete_message", id="msg-1", undeleted_by="ann"),
    lambda: client.undelete_message("msg-1", "ann"),
    holding("message"),
)
w.call(
    "client.commit_message",
    w.ours("messages.commit_message", id="msg-1"),
    lambda: client.commit_message("msg-1"),
    holding("message"),
)
w.call(
    "client.translate_message",
    w.ours("messages.translate_message", id="msg-1", language="fr"),
    lambda: client.translate_message("msg-1", "fr"),
    holding("message"),
)
w.call(
    "client.run_message_action",
    w.ours(
        "messages.run_message_action",
        id="msg-1",
        form_data={"image_action": "shuffle"},
        user_id="ann",
    ),
    lambda: client.run_message_action(
        "msg-1", {"form_data": {"image_action": "shuffle"}, "user_id": "ann"}
    ),
    holding("message"),
)
w.call(
    "client.search",
    w.ours(
        "messages.search_messages",
        payload={"limit": 5, "query": "hello", "filter_conditions": {"type": TYPE}},
    ),
    lambda: client.search({"type": TYPE}, "hello", limit=5),
    holding("results"),
)
w.call(
    "client.query_message_history",
    w.ours(
        "messages.query_message_history",
        filter={"message_id": "msg-1"},
        sort=[{"field": "message_updated_at", "direction": -1}],
        limit=10,
    ),
    lambda: client.query_message_history(
        {"message_id": "msg-1"}, [{"message_updated_at": -1}], limit=10
    ),
    holding("message_history"),
)
w.call(
    "client.query_threads",
    w.ours(
        "threads.query_threads",
        filter={"channel_cid": CID},
        sort=[{"field": "last_message_at", "direction": -1}],
        user_id="ann",
        limit=10,
    ),
    lambda: client.query_threads(
        {"channel_cid": CID}, [{"last_message_at": -1}], user_id="ann", limit=10
    ),
    holding("threads"),
)
w.call(
    "channel.get_replies",
    w.ours("messages.get_replies", parent_id="msg-1", limit=10),
    lambda: general().get_replies("msg-1", limit=10),
    holding("messages"),
)

# Reactions.
w.call(
    "channel.send_reaction",
    w.ours("reactions.send_reaction", id="msg-1", reaction={"type": "love", "user": {"id": "ann"}}),
    lambda: general().send_reaction("msg-1", {"type": "love"}, "ann"),
    holding("reaction"),
)
w.call(
    "channel.get_reactions",
    w.ours("reactions.get_reactions", id="msg-1", limit=5),
    lambda: general().get_reactions("msg-1", limit=5),
    holding("reactions"),
)
w.call(
    "channel.delete_reaction",
    w.ours("reactions.delete_reaction", id="msg-1", type="love", user_id="ann"),
    lambda: general().delete_reaction("msg-1", "love", "ann"),
    holding("reaction"),
)

# Files.
w.call(
    "channel.send_file",
    w.ours("files.upload_file", **IN_GENERAL, file={"$file": w.FILE}, user={"id": "ann"}),
    lambda: general().send_file(w.FILE, PICTURE, {"id": "ann"}, "image/png"),
    holding("file"),
)
w.call(
    "channel.send_image",
    w.ours("files.upload_image", **IN_GENERAL, file={"$file": w.FILE}, user={"id": "ann"}),
    lambda: general().send_image(w.FILE, PICTURE, {"id": "ann"}, "image/png"),
    holding("file"),
)
w.call(
    "client.send_file",
    w.ours("files.upload_image", **IN_GENERAL, file={"$file": w.FILE}, user={"id": "bob"}),
    lambda: client.send_file(
        f"channels/{TYPE}/{ID}/image", w.FILE, PICTURE, {"id": "bob"}, "image/png"
    ),
    holding("file"),
)
w.call(
    "channel.delete_file",
    w.ours("files.delete_file", **IN_GENERAL, url=UPLOADED),
    lambda: general().delete_file(UPLOADED),
    holding("duration"),
)
w.call(
    "channel.delete_image",
    w.ours("files.delete_image", **IN_GENERAL, url=UPLOADED),
    lambda: general().delete_image(UPLOADED),
    holding("duration"),
)

# Devices and push.
w.call(
    "client.add_device",
    w.ours(
        "devices.create_device",
        id="device-1",
        push_provider="firebase",
        user_id="ann",
        push_provider_name=None,
    ),
    lambda: client.add_device("device-1", "firebase", "ann"),
    holding("duration"),
)
w.call(
    "client.get_devices",
    w.ours("devices.list_devices", user_id="ann"),
    lambda: client.get_devices("ann"),
    holding("devices"),
)
w.call(
    "client.delete_device",
    w.ours("devices.delete_device", id="device-1", user_id="ann"),
    lambda: client.delete_device("device-1", "ann"),
    holding("duration"),
)
w.call(
    "client.check_push",
    w.ours("push.check_push", message_id="msg-1", user_id="ann", skip_devices=True),
    lambda: client.check_push({"message_id": "msg-1", "user_id": "ann", "skip_devices": True}),
    holding("duration"),
)
FIREBASE = {"name": "firebase-main", "type": "firebase", "firebase_server_key": "server-key"}
w.call(
    "client.upsert_push_provider",
    w.ours("push.upsert_push_provider", push_provider=FIREBASE),
    lambda: client.upsert_push_provider(FIREBASE),
    holding("push_provider"),
)
w.call(
    "client.list_push_providers",
    w.ours("push.list_push_providers"),
    lambda: client.list_push_providers(),
    holding("push_providers"),
)
w.call(
    "client.delete_push_provider",
    w.ours("push.delete_push_provider", type="firebase", name="firebase-main"),
    lambda: client.delete_push_provider("firebase", "firebase-main"),
    holding("duration"),
)

# App settings.
w.call(
    "client.get_app_settings",
    w.ours("app_settings.get_app"),
    lambda: client.get_app_settings(),
    holding("app"),
)
w.call(
    "client.update_app_settings",
    w.ours(
        "app_settings.update_app",
        disable_auth_checks=False,
        webhook_url="https://example.com/hooks/stream",
    ),
    lambda: client.update_app_settings(
        disable_auth_checks=False, webhook_url="https://example.com/hooks/stream"
    ),
    holding("duration"),
)
w.call(
    "client.get_rate_limits",
    w.ours("app_settings.get_rate_limits", server_side=True, endpoints="QueryChannels,SendMessage"),
    lambda: client.get_rate_limits(server_side=True, endpoints=["QueryChannels", "SendMessage"]),
    holding("server_side"),
)
SQS_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/stream-events"
w.call(
    "client.check_sqs",
    w.ours("app_settings.check_sqs", sqs_key="AKIA-KEY", sqs_secret="sqs-secret", sqs_url=SQS_URL),
    lambda: client.check_sqs("AKIA-KEY", "sqs-secret", SQS_URL),
    holding("status"),
)
SNS_TOPIC = "arn:aws:sns:us-east-1:123456789012:stream-events"
w.call(
    "client.check_sns",
    w.ours(
        "app_settings.check_sns",
        sns_key="AKIA-KEY",
        sns_secret="sns-secret",
        sns_topic_arn=SNS_TOPIC,
    ),
    lambda: client.check_sns("AKIA-KEY", "sns-secret", SNS_TOPIC),
    holding("status"),
)

# Channel types and commands.
SUPPORT = {
    "name": "support",
    "commands": ["all"],
    "max_message_length": 5000,
    "automod": "disabled",
    "automod_behavior": "flag",
}
w.call(
    "client.create_channel_type",
    w.ours("channel_types.create_channel_type", **SUPPORT),
    lambda: client.create_channel_type(dict(SUPPORT)),
    holding("name"),
)
w.call(
    "client.get_channel_type",
    w.ours("channel_types.get_channel_type", name="support"),
    lambda: client.get_channel_type("support"),
    holding("name"),
)
w.call(
    "client.list_channel_types",
    w.ours("channel_types.list_channel_types"),
    lambda: client.list_channel_types(),
    holding("channel_types"),
)
w.call(
    "client.update_channel_type",
    w.ours(
        "channel_types.update_channel_type",
        name="support",
        max_message_length=5000,
        automod="simple",
        automod_behavior="flag",
        replies=False,
    ),
    lambda: client.update_channel_type(
        "support", max_message_length=5000, automod="simple", automod_behavior="flag", replies=False
    ),
    holding("name"),
)
w.call(
    "client.delete_channel_type",
    w.ours("channel_types.delete_channel_type", name="support"),
    lambda: client.delete_channel_type("support"),
    holding("duration"),
)
TICKET = {"name": "ticket", "description": "Open a support ticket", "args": "[description]"}
w.call(
    "client.create_command",
    w.ours("commands.create_command", **TICKET),
    lambda: client.create_command(dict(TICKET)),
    holding("command"),
)
w.call(
    "client.get_command",
    w.ours("commands.get_command", name="ticket"),
    lambda: client.get_command("ticket"),
    holding("name"),
)
w.call(
    "client.list_commands",
    w.ours("commands.list_commands"),
    lambda: client.list_commands(),
    holding("commands"),
)
w.call(
    "client.update_command",
    w.ours("commands.update_command", name="ticket", description="Open a ticket", set="support"),
    lambda: client.update_command("ticket", description="Open a ticket", set="support"),
    holding("command"),
)
w.call(
    "client.delete_command",
    w.ours("commands.delete_command", name="ticket"),
    lambda: client.delete_command("ticket"),
    holding("name"),
)

# Roles, permissions and blocklists.
w.call(
    "client.create_role",
    w.ours("permissions.create_role", name="editor"),
    lambda: client.create_role("editor"),
    holding("role"),
)
w.call(
    "client.list_roles",
    w.ours("permissions.list_roles"),
    lambda: client.list_roles(),
    holding("roles"),
)
w.call(
    "client.delete_role",
    w.ours("permissions.delete_role", name="editor"),
    lambda: client.delete_role("editor"),
    holding("duration"),
)
w.call(
    "client.get_permission",
    w.ours("permissions.get_permission", id="read-channel"),
    lambda: client.get_permission("read-channel"),
    holding("permission"),
)
w.call(
    "client.list_permissions",
    w.ours("permissions.list_permissions"),
    lambda: client.list_permissions(),
    holding("permissions"),
)
w.call(
    "client.create_blocklist",
    w.ours("blocklists.create_block_list", name="profanity", words=["darn"], type="word"),
    lambda: client.create_blocklist("profanity", ["darn"]),
    holding("duration"),
)
w.call(
    "client.get_blocklist",
    w.ours("blocklists.get_block_list", name="profanity"),
    lambda: client.get_blocklist("profanity"),
    holding("blocklist"),
)
w.call(
    "client.list_blocklists",
    w.ours("blocklists.list_block_lists"),
    lambda: client.list_blocklists(),
    holding("blocklists"),
)
w.call(
    "client.update_blocklist",
    w.ours("blocklists.update_block_list", name="profanity", words=["darn", "heck"]),
    lambda: client.update_blocklist("profanity", ["darn", "heck"]),
    holding("duration"),
)
w.call(
    "client.delete_blocklist",
    w.ours("blocklists.delete_block_list", name="profanity"),
    lambda: client.delete_blocklist("profanity"),
    holding("duration"),
)

# Imports, exports and tasks.
w.call(
    "client.create_import_url",
    w.ours("imports.create_import_url", filename="users.json"),
    lambda: client.create_import_url("users.json"),
    holding("upload_url", "path"),
)
w.call(
    "client.create_import",
    w.ours("imports.create_import", path="imports/users.json", mode="upsert"),
    lambda: client.create_import("imports/users.json"),
    holding("import_task"),
)
w.call(
    "client.get_import",
    w.ours("imports.get_import", id="import-1"),
    lambda: client.get_import("import-1"),
    holding("import_task"),
)
w.call(
    "client.list_imports",
    w.ours("imports.list_imports"),
    lambda: client.list_imports(),
    holding("import_tasks"),
)
w.call(
    "client.export_channel",
    w.ours(
        "exports.export_channels",
        channels=[{**IN_GENERAL, "messages_since": None, "messages_until": None}],
    ),
    lambda: client.export_channel(TYPE, ID),
    holding("task_id"),
)
w.call(
    "client.export_channels",
    w.ours("exports.export_channels", channels=[IN_GENERAL], clear_deleted_message_text=True),
    lambda: client.export_channels([IN_GENERAL], clear_deleted_message_text=True),
    holding("task_id"),
)
w.call(
    "client.get_export_channel_status",
    w.ours("exports.get_export_channels_status", id="task-1"),
    lambda: client.get_export_channel_status("task-1"),
    holding("status"),
)
w.call(
    "client.get_task",
    w.ours("tasks.get_task", id="task-1"),
    lambda: client.get_task("task-1"),
    holding("status"),
)

# Where the SDK's requests differ from what the spec describes.
quirk(
    "Queries of channels carry watch: false and presence: false, options of client-side "
    "connections (they subscribe the connection to the channels and to their members' presence) "
    "that the server-side API does not define.",
    "stream_chat/client.py StreamChat.query_channels; stream_chat/channel.py Channel.create",
    ("client.query_channels", "channel.create"),
    "body.watch",
    "body.presence",
)
quirk(
    "Muting or unmuting one user sends the user as target_id, a single-user spelling the API "
    "does not define; the API takes the users as the array target_ids, which the generated "
    "client sends.",
    "stream_chat/client.py StreamChat.mute_user, StreamChat.unmute_user",
    ("client.mute_user", "client.unmute_user"),
    "body.target_id",
    "body.target_ids",
)
quirk(
    "Muting or unmuting a channel sends it as channel_cid, a single-channel spelling the API does "
    "not define; the API takes the array channel_cids, which the generated client sends.",
    "stream_chat/channel.py Channel.mute, Channel.unmute",
    ("channel.mute", "channel.unmute"),
    "body.channel_cid",
    "body.channel_cids",
)
quirk(
    "Banning a user from one channel, and lifting that ban, names the channel by its type and id "
    "(in the body, and in the query), fields the API does not define for bans; the API takes the "
    "channel as channel_cid, which the generated client sends.",
    "stream_chat/channel.py Channel.ban_user, Channel.unban_user",
    ("channel.ban_user", "channel.unban_user"),
    "body.type",
    "body.id",
    "body.channel_cid",
    "query.type",
    "query.id",
    "query.channel_cid",
)
quirk(
    "Lifting a shadow ban sends shadow=true, a parameter the API does not define for lifting "
    "bans: the API lifts a shadow ban as it lifts any other, by the banned user (and channel).",
    "stream_chat/client.py StreamChat.remove_shadow_ban",
    ("client.remove_shadow_ban",),
    "query.shadow",
)
quirk(
    "A POST with nothing to send still carries an empty JSON object, to an operation that takes "
    "no body.",
    "stream_chat/client.py StreamChat._make_request (data or {}), StreamChat.commit_message",
    ("client.commit_message",),
    "body",
    "media_type",
)
