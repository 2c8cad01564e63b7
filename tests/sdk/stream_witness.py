"""Drives Stream's official Python SDK (stream-chat) against a server given by STREAM_CHAT_URL.

Runs inside its own virtual environment (the SDK's dependencies never meet the project's) and
prints one JSON line per SDK call: its name, whether the server accepted it, and the status and
answer when it did not.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

from stream_chat import StreamChat
from stream_chat.base.exceptions import StreamAPIException

client = StreamChat(
    api_key=os.environ["STREAM_KEY"],
    api_secret=os.environ["STREAM_SECRET"],
    base_url=os.environ["STREAM_CHAT_URL"],
)
channel = client.channel("messaging", "general")
image = os.environ["STREAM_IMAGE"]

CALLS: list[tuple[str, str, Callable[[], Any]]] = [
    # users
    ("users", "upsert_user", lambda: client.upsert_user({"id": "ann", "name": "Ann"})),
    ("users", "upsert_users", lambda: client.upsert_users([{"id": "ann"}, {"id": "bob"}])),
    (
        "users",
        "update_user_partial",
        lambda: client.update_user_partial({"id": "ann", "set": {"name": "Ann B"}}),
    ),
    ("users", "query_users", lambda: client.query_users({"id": {"$in": ["ann", "bob"]}})),
    ("users", "delete_users", lambda: client.delete_users(["bob"], "soft")),
    ("users", "deactivate_user", lambda: client.deactivate_user("bob")),
    ("users", "reactivate_user", lambda: client.reactivate_user("bob")),
    ("users", "restore_users", lambda: client.restore_users(["bob"])),
    ("users", "export_user", lambda: client.export_user("ann")),
    ("users", "revoke_user_token", lambda: client.revoke_user_token("ann", 1767225600)),
    ("users", "unread_counts", lambda: client.unread_counts("ann")),
    # moderation
    ("moderation", "ban_user", lambda: client.ban_user("bob", user_id="ann", reason="spam")),
    ("moderation", "unban_user", lambda: client.unban_user("bob")),
    ("moderation", "shadow_ban", lambda: client.shadow_ban("bob", user_id="ann")),
    (
        "moderation",
        "query_banned_users",
        lambda: client.query_banned_users(
            {"filter_conditions": {"channel_cid": "messaging:general"}}
        ),
    ),
    ("moderation", "mute_user", lambda: client.mute_user("bob", "ann")),
    ("moderation", "unmute_user", lambda: client.unmute_user("bob", "ann")),
    ("moderation", "flag_user", lambda: client.flag_user("bob", user_id="ann")),
    ("moderation", "flag_message", lambda: client.flag_message("msg-1", user_id="ann")),
    ("moderation", "block_user", lambda: client.block_user("bob", "ann")),
    ("moderation", "get_blocked_users", lambda: client.get_blocked_users("ann")),
    # channels
    ("channels", "channel.create", lambda: channel.create("ann")),
    (
        "channels",
        "query_channels",
        lambda: client.query_channels({"type": "messaging"}, {"last_message_at": -1}, limit=10),
    ),
    ("channels", "channel.update", lambda: channel.update({"name": "General"})),
    (
        "channels",
        "channel.update_partial",
        lambda: channel.update_partial({"color": "blue"}, ["topic"]),
    ),
    ("channels", "channel.add_members", lambda: channel.add_members(["ann", "bob"])),
    ("channels", "channel.remove_members", lambda: channel.remove_members(["bob"])),
    ("channels", "channel.add_moderators", lambda: channel.add_moderators(["ann"])),
    ("channels", "channel.query_members", lambda: channel.query_members({"name": "Ann"})),
    ("channels", "channel.hide", lambda: channel.hide("ann")),
    ("channels", "channel.show", lambda: channel.show("ann")),
    ("channels", "channel.mark_read", lambda: channel.mark_read("ann")),
    ("channels", "channel.truncate", lambda: channel.truncate()),
    ("channels", "channel.send_event", lambda: channel.send_event({"type": "typing.start"}, "ann")),
    (
        "channels",
        "channel.send_image",
        lambda: channel.send_image(image, "cat.png", {"id": "ann"}, "image/png"),
    ),
    ("channels", "delete_channels", lambda: client.delete_channels(["messaging:old"])),
    # messages
    ("messages", "channel.send_message", lambda: channel.send_message({"text": "hello"}, "ann")),
    ("messages", "get_message", lambda: client.get_message("msg-1")),
    ("messages", "channel.get_messages", lambda: channel.get_messages(["msg-1", "msg-2"])),
    (
        "messages",
        "update_message",
        lambda: client.update_message({"id": "msg-1", "text": "edited", "user_id": "ann"}),
    ),
    (
        "messages",
        "update_message_partial",
        lambda: client.update_message_partial("msg-1", {"set": {"text": "x"}}, "ann"),
    ),
    ("messages", "pin_message", lambda: client.pin_message("msg-1", "ann")),
    ("messages", "delete_message", lambda: client.delete_message("msg-1", hard=True)),
    ("messages", "translate_message", lambda: client.translate_message("msg-1", "fr")),
    ("messages", "search", lambda: client.search({"type": "messaging"}, "hello", limit=5)),
    ("messages", "channel.get_replies", lambda: channel.get_replies("msg-1", limit=10)),
    # reactions
    (
        "reactions",
        "channel.send_reaction",
        lambda: channel.send_reaction("msg-1", {"type": "love"}, "ann"),
    ),
    ("reactions", "channel.get_reactions", lambda: channel.get_reactions("msg-1", limit=5)),
    (
        "reactions",
        "channel.delete_reaction",
        lambda: channel.delete_reaction("msg-1", "love", "ann"),
    ),
    # devices
    ("devices", "add_device", lambda: client.add_device("device-1", "firebase", "ann")),
    ("devices", "get_devices", lambda: client.get_devices("ann")),
    ("devices", "delete_device", lambda: client.delete_device("device-1", "ann")),
    # app settings
    ("app", "get_app_settings", lambda: client.get_app_settings()),
    ("app", "update_app_settings", lambda: client.update_app_settings(disable_auth_checks=False)),
    ("app", "get_rate_limits", lambda: client.get_rate_limits(server_side=True)),
    ("app", "list_channel_types", lambda: client.list_channel_types()),
    ("app", "get_channel_type", lambda: client.get_channel_type("messaging")),
    ("app", "list_commands", lambda: client.list_commands()),
    ("app", "list_roles", lambda: client.list_roles()),
    ("app", "list_permissions", lambda: client.list_permissions()),
    ("app", "list_blocklists", lambda: client.list_blocklists()),
    ("app", "create_blocklist", lambda: client.create_blocklist("words", ["bad"])),
    ("app", "get_task", lambda: client.get_task("task-1")),
]


def main() -> None:
    for group, name, call in CALLS:
        record: dict[str, Any] = {"group": group, "call": name}
        try:
            call()
            record["accepted"] = True
        except StreamAPIException as exc:
            record.update(accepted=False, status=exc.status_code, answer=str(exc)[:500])
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the run
            record.update(
                accepted=False,
                status=None,
                answer=f"{type(exc).__name__}: {exc}"[:500],
                trace=traceback.format_exc()[-800:],
            )
        print(json.dumps(record), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
