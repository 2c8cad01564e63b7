"""Conformance driver for rc-server-sdk 3.2.0 (import name `rongcloud`), RongCloud's Python
server SDK, as a witness of specs/rongcloud.yaml.

The SDK hands out one module object per area (`rc.get_user()`, `rc.get_message()`, ...) and
nested modules through argument-free `get_*` accessors (`user.get_block()`). The inventory is
every public method of every module reached that way, named by the path of accessors that leads
to it ("user.block.add"); the accessors themselves only build objects and are not calls.

Every module method posts one request and returns the parsed JSON answer as a dict (the raw
bytes when the server answers 4xx/5xx), which counts as taken when its `code` is 200 and it
carries the fields the SDK documents for that call.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from typing import Any

import _witness as w
from rongcloud.module import Module
from rongcloud.rongcloud import RongCloud

# Users, groups and chatrooms of an imaginary app.
ANN, BOB, CAROL, ADMIN = "u1001", "u1002", "u1003", "system-bot"
GROUP, OLD_GROUP = "grp-design", "grp-2019-offsite"
ROOM, OLD_ROOM = "room-friday-live", "room-launch-2023"
PORTRAIT = "https://cdn.example.com/avatars/u1001.png"
TEXT = "RC:TxtMsg"
HELLO = {"content": "Hello Bob, the review starts at 15:00"}
TYPING = {"typingContentType": TEXT}
# A message to recall, as the message routing callback reports it.
MESSAGE_UID, SENT_TIME = "5GSB-RPM1-KP8H-9JHF", 1700000000123
HOUR = "2024011510"


def _accessors(owner: object) -> Iterator[tuple[str, Module]]:
    """The modules `owner` hands out through its argument-free `get_*` methods, by name."""
    for name, function in inspect.getmembers(type(owner), inspect.isfunction):
        if name.startswith("get_") and len(inspect.signature(function).parameters) == 1:
            child = getattr(owner, name)()
            if isinstance(child, Module):
                yield name, child


def modules(rc: RongCloud) -> dict[str, Module]:
    """Every module of the SDK by its dotted name, found through the `get_*` accessors."""
    found: dict[str, Module] = {}

    def walk(name: str, module: Module) -> None:
        found[name] = module
        for accessor, child in _accessors(module):
            walk(f"{name}.{accessor.removeprefix('get_')}", child)

    for accessor, module in _accessors(rc):
        walk(accessor.removeprefix("get_"), module)
    return found


def calls(found: dict[str, Module]) -> list[str]:
    """Every public method of every module but the accessors."""
    names = []
    for prefix, module in found.items():
        accessors = {name for name, _ in _accessors(module)}
        for name, _ in inspect.getmembers(type(module), inspect.isfunction):
            if not name.startswith("_") and name not in accessors:
                names.append(f"{prefix}.{name}")
    return names


def success(*fields: str) -> Callable[[Any], str | None]:
    """A successful answer: a dict with code 200 and `fields`."""

    def check(answer: Any) -> str | None:
        if not isinstance(answer, dict):
            return f"not a parsed answer: {answer!r}"[:300]
        if answer.get("code") != 200:
            return f"code {answer.get('code')}: {answer}"[:300]
        missing = [name for name in fields if name not in answer]
        return f"no {', '.join(missing)} in {answer}"[:300] if missing else None

    return check


def declare_quirks() -> None:
    w.quirk(
        "body.groupName",
        "Form bodies are rendered from a text template with the values pasted in as they are, "
        "not percent-encoded: a `+` in a value arrives as a space, a `&` or `=` splits the "
        "field, and non-ASCII text goes out as raw UTF-8 bytes.",
        "rongcloud/module.py: Module._render (a plain jinja2 Template), used by every form call, "
        "here Group.update ('&groupName={{ group_name }}')",
        ("group.update",),
    )
    w.quirk(
        "body.word",
        "Removing a single sensitive word renders the Python list that holds it, so the service "
        "is asked to remove the word `['spam']` instead of `spam`.",
        "rongcloud/sensitive.py: Sensitive.remove ('word={{ words }}' after _tran_list)",
        ("sensitive.remove",),
    )
    w.quirk(
        "body.expansion",
        "Boolean form fields (expansion, disablePush) are rendered with Python's spelling, "
        "`True`, where the spec and our client send `true`.",
        "rongcloud/message.py: Private.send ('&expansion={{ expansion }}'); Group.send and "
        "System.send alike",
        ("message.private.send",),
    )
    w.quirk(
        "body.message.content",
        "The message sent along with a tag push has its content JSON percent-encoded "
        "(urllib.parse.quote, as for a form field) although it travels inside a JSON body, "
        "where the spec expects the JSON text itself.",
        "rongcloud/push.py: Push.broadcast (content = urllib.parse.quote(json.dumps(content)))",
        ("push.broadcast",),
    )


def user_calls(rc: RongCloud) -> None:
    user = rc.get_user()
    w.call(
        "user.register",
        w.ours("users.register_user", user_id=ANN, name="Ann Lee", portrait_uri=PORTRAIT),
        lambda: user.register(ANN, "Ann Lee", PORTRAIT),
        success("token", "userId"),
    )
    w.call(
        "user.update",
        w.ours("users.update_user_info", user_id=ANN, name="Ann Li", portrait_uri=""),
        lambda: user.update(ANN, name="Ann Li"),
        success(),
    )
    w.call(
        "user.query",
        w.ours("users.get_user_info", user_id=ANN),
        lambda: user.query(ANN),
        success("userName"),
    )
    w.call(
        "user.check_online",
        w.ours("users.check_user_online", user_id=ANN),
        lambda: user.check_online(ANN),
        success("status"),
    )

    block = user.get_block()
    w.call(
        "user.block.add",
        w.ours("users.block_users", user_id=[BOB, CAROL], minute=60),
        lambda: block.add([BOB, CAROL], 60),
        success(),
    )
    w.call(
        "user.block.remove",
        w.ours("users.unblock_users", user_id=[BOB]),
        lambda: block.remove(BOB),
        success(),
    )
    w.call(
        "user.block.query",
        w.ours("users.query_blocked_users"),
        block.query,
        success("users"),
    )

    blacklist = user.get_blacklist()
    w.call(
        "user.blacklist.add",
        w.ours("user_lists.add_to_blocklist", user_id=ANN, black_user_id=[BOB, CAROL]),
        lambda: blacklist.add(ANN, [BOB, CAROL]),
        success(),
    )
    w.call(
        "user.blacklist.remove",
        w.ours("user_lists.remove_from_blocklist", user_id=ANN, black_user_id=[CAROL]),
        lambda: blacklist.remove(ANN, CAROL),
        success(),
    )
    w.call(
        "user.blacklist.query",
        w.ours("user_lists.query_blocklist", user_id=ANN),
        lambda: blacklist.query(ANN),
        success("users"),
    )

    whitelist = user.get_whitelist()
    w.call(
        "user.whitelist.add",
        w.ours("user_lists.add_to_allowlist", user_id=ANN, white_user_id=[BOB]),
        lambda: whitelist.add(ANN, [BOB]),
        success(),
    )
    w.call(
        "user.whitelist.remove",
        w.ours("user_lists.remove_from_allowlist", user_id=ANN, white_user_id=[BOB]),
        lambda: whitelist.remove(ANN, BOB),
        success(),
    )
    w.call(
        "user.whitelist.query",
        w.ours("user_lists.query_allowlist", user_id=ANN),
        lambda: whitelist.query(ANN),
        success("users"),
    )

    tag = user.get_tag()
    w.call(
        "user.tag.set",
        w.ours("users.set_user_tags", user_id=ANN, tags=["designer", "beijing"]),
        lambda: tag.set(ANN, ["designer", "beijing"]),
        success(),
    )
    w.call(
        "user.tag.get",
        w.ours("users.get_user_tags", user_ids=[ANN, BOB]),
        lambda: tag.get([ANN, BOB]),
        success("result"),
    )


def message_calls(rc: RongCloud) -> None:
    message = rc.get_message()
    w.skip(
        "message.set_user_info",
        "keeps user details on the module object and sends no request; no call of 3.2.0 reads "
        "them back",
    )
    notice = {"content": "Scheduled maintenance tonight from 22:00 to 23:00"}
    w.call(
        "message.broadcast",
        w.ours(
            "system.broadcast_message",
            from_user_id=ADMIN,
            object_name=TEXT,
            content=notice,
            push_content="Scheduled maintenance tonight",
            content_available=1,
        ),
        lambda: message.broadcast(
            ADMIN,
            TEXT,
            notice,
            push_content="Scheduled maintenance tonight",
            content_available=1,
        ),
        success(),
    )

    private = message.get_private()
    w.call(
        "message.private.send",
        w.ours(
            "messages.send_private_message",
            from_user_id=ANN,
            to_user_id=[BOB],
            object_name=TEXT,
            content=HELLO,
            push_content="Ann: the review starts at 15:00",
            count=3,
            verify_blacklist=1,
            is_include_sender=1,
            expansion=True,
        ),
        lambda: private.send(
            ANN,
            BOB,
            TEXT,
            HELLO,
            push_content="Ann: the review starts at 15:00",
            count=3,
            verify_blacklist=1,
            is_include_sender=1,
            expansion=True,
        ),
        success(),
    )
    w.call(
        "message.private.recall",
        w.ours(
            "messages.recall_message",
            from_user_id=ANN,
            conversation_type=1,
            target_id=BOB,
            message_uid=MESSAGE_UID,
            sent_time=SENT_TIME,
            is_admin=0,
            is_delete=0,
        ),
        lambda: private.recall(ANN, BOB, MESSAGE_UID, SENT_TIME),
        success(),
    )
    greeting = {"content": "Hello {name}, your order {order} has shipped"}
    values = [{"{name}": "Bob", "{order}": "A-1024"}, {"{name}": "Carol", "{order}": "A-1025"}]
    pushes = ["Order A-1024 has shipped", "Order A-1025 has shipped"]
    w.call(
        "message.private.send_template",
        w.ours(
            "messages.send_private_template_message",
            from_user_id=ADMIN,
            to_user_id=[BOB, CAROL],
            object_name=TEXT,
            values=values,
            content=json.dumps(greeting),
            push_content=pushes,
        ),
        lambda: private.send_template(
            ADMIN, [BOB, CAROL], TEXT, values, greeting, push_content=pushes
        ),
        success(),
    )
    w.call(
        "message.private.send_status_message",
        w.ours(
            "messages.send_private_status_message",
            from_user_id=ANN,
            to_user_id=[BOB],
            object_name="RC:TypSts",
            content=TYPING,
            verify_blacklist=1,
        ),
        lambda: private.send_status_message(ANN, BOB, "RC:TypSts", TYPING, verify_blacklist=1),
        success(),
    )

    group = message.get_group()
    standup = {"content": "Stand-up moved to 10:30"}
    w.call(
        "message.group.send",
        w.ours(
            "messages.send_group_message",
            from_user_id=ANN,
            to_group_id=[GROUP],
            object_name=TEXT,
            content=standup,
            push_content="Stand-up moved",
            is_include_sender=1,
            push_ext={"title": "Design team"},
        ),
        lambda: group.send(
            ANN,
            GROUP,
            TEXT,
            standup,
            push_content="Stand-up moved",
            is_include_sender=1,
            push_ext=json.dumps({"title": "Design team"}),
        ),
        success(),
    )
    w.call(
        "message.group.send_direction",
        w.ours(
            "messages.send_group_message",
            from_user_id=ANN,
            to_group_id=[GROUP],
            to_user_id=[BOB, CAROL],
            object_name=TEXT,
            content=standup,
            is_persisted=0,
        ),
        lambda: group.send_direction(ANN, GROUP, [BOB, CAROL], TEXT, standup, is_persisted=0),
        success(),
    )
    w.call(
        "message.group.recall",
        w.ours(
            "messages.recall_message",
            from_user_id=ANN,
            conversation_type=3,
            target_id=GROUP,
            message_uid=MESSAGE_UID,
            sent_time=SENT_TIME,
            is_delete=1,
        ),
        lambda: group.recall(ANN, GROUP, MESSAGE_UID, SENT_TIME, is_delete=1),
        success(),
    )
    w.call(
        "message.group.send_status_message",
        w.ours(
            "messages.send_group_status_message",
            from_user_id=ANN,
            to_group_id=[GROUP],
            object_name="RC:TypSts",
            content=TYPING,
        ),
        lambda: group.send_status_message(ANN, GROUP, "RC:TypSts", TYPING),
        success(),
    )

    chatroom = message.get_chatroom()
    question = {"content": "Will the slides be shared afterwards?"}
    w.call(
        "message.chatroom.send",
        w.ours(
            "messages.send_chatroom_message",
            from_user_id=BOB,
            to_chatroom_id=[ROOM],
            object_name=TEXT,
            content=question,
        ),
        lambda: chatroom.send(BOB, ROOM, TEXT, question),
        success(),
    )
    w.call(
        "message.chatroom.recall",
        w.ours(
            "messages.recall_message",
            from_user_id=BOB,
            conversation_type=4,
            target_id=ROOM,
            message_uid=MESSAGE_UID,
            sent_time=SENT_TIME,
            is_admin=1,
            extra="off topic",
        ),
        lambda: chatroom.recall(BOB, ROOM, MESSAGE_UID, SENT_TIME, is_admin=1, extra="off topic"),
        success(),
    )
    w.call(
        "message.chatroom.broadcast",
        w.ours(
            "messages.broadcast_chatroom_message",
            from_user_id=ADMIN,
            object_name=TEXT,
            content=notice,
        ),
        lambda: chatroom.broadcast(ADMIN, TEXT, notice),
        success(),
    )

    system = message.get_system()
    w.call(
        "message.system.send",
        w.ours(
            "system.send_system_message",
            from_user_id=ADMIN,
            to_user_id=[ANN, BOB],
            object_name=TEXT,
            content=notice,
            push_content="Scheduled maintenance tonight",
            is_persisted=0,
        ),
        lambda: system.send(
            ADMIN,
            [ANN, BOB],
            TEXT,
            notice,
            push_content="Scheduled maintenance tonight",
            is_persisted=0,
        ),
        success(),
    )
    w.call(
        "message.system.send_template",
        w.ours(
            "system.send_system_template_message",
            from_user_id=ADMIN,
            to_user_id=[BOB, CAROL],
            object_name=TEXT,
            values=values,
            content=json.dumps(greeting),
            push_content=pushes,
        ),
        lambda: system.send_template(
            ADMIN, [BOB, CAROL], TEXT, greeting, values, push_content=pushes
        ),
        success(),
    )

    history = message.get_history()
    w.call(
        "message.history.query",
        w.ours("messages.get_message_history_log", date=HOUR),
        lambda: history.query(HOUR),
        success("url", "date"),
    )
    w.call(
        "message.history.remove",
        w.ours("messages.delete_message_history_log", date=HOUR),
        lambda: history.remove(HOUR),
        success(),
    )


def group_calls(rc: RongCloud) -> None:
    group = rc.get_group()
    w.call(
        "group.sync",
        w.ours(
            "groups.sync_user_groups",
            user_id=ANN,
            group={GROUP: "Design", "grp-ops": "Operations"},
        ),
        lambda: group.sync(ANN, [(GROUP, "Design"), ("grp-ops", "Operations")]),
        success(),
    )
    w.call(
        "group.create",
        w.ours("groups.create_group", user_id=[ANN, BOB], group_id=GROUP, group_name="Design"),
        lambda: group.create([ANN, BOB], GROUP, "Design"),
        success(),
    )
    w.call(
        "group.join",
        w.ours("groups.join_group", user_id=[CAROL], group_id=GROUP, group_name="Design"),
        lambda: group.join(CAROL, GROUP, "Design"),
        success(),
    )
    w.call(
        "group.quit",
        w.ours("groups.quit_group", user_id=[CAROL], group_id=GROUP),
        lambda: group.quit(CAROL, GROUP),
        success(),
    )
    w.call(
        "group.dismiss",
        w.ours("groups.dismiss_group", user_id=ANN, group_id=OLD_GROUP),
        lambda: group.dismiss(ANN, OLD_GROUP),
        success(),
    )
    w.call(
        "group.update",
        w.ours("groups.refresh_group", group_id=GROUP, group_name="Design + Research"),
        lambda: group.update(GROUP, "Design + Research"),
        success(),
    )
    w.call(
        "group.query",
        w.ours("groups.query_group_members", group_id=GROUP),
        lambda: group.query(GROUP),
        success("users"),
    )
    w.call(
        "group.query_user_group",
        w.ours("groups.query_user_groups", user_id=ANN),
        lambda: group.query_user_group(ANN),
        success("groups"),
    )

    members = group.get_user()
    w.call(
        "group.user.query",
        w.ours("groups.query_group_members", group_id=GROUP),
        lambda: members.query(GROUP),
        success("users"),
    )

    gag = members.get_gag()
    w.call(
        "group.user.gag.add",
        w.ours("group_mute.mute_group_members", user_id=[BOB], group_id=GROUP, minute=30),
        lambda: gag.add(BOB, GROUP, 30),
        success(),
    )
    w.call(
        "group.user.gag.remove",
        w.ours("group_mute.unmute_group_members", user_id=[BOB], group_id=GROUP),
        lambda: gag.remove(BOB, GROUP),
        success(),
    )
    w.call(
        "group.user.gag.query",
        w.ours("group_mute.query_muted_group_members", group_id=GROUP),
        lambda: gag.query(GROUP),
        success("users"),
    )

    ban = members.get_ban()
    w.call(
        "group.user.ban.add",
        w.ours("group_mute.mute_all_group_members", group_id=[GROUP, "grp-ops"]),
        lambda: ban.add([GROUP, "grp-ops"]),
        success(),
    )
    w.call(
        "group.user.ban.remove",
        w.ours("group_mute.unmute_all_group_members", group_id=["grp-ops"]),
        lambda: ban.remove("grp-ops"),
        success(),
    )
    w.call(
        "group.user.ban.query",
        w.ours("group_mute.query_muted_groups", group_id=[GROUP]),
        lambda: ban.query(GROUP),
        success(),
    )

    allowed = ban.get_whitelist()
    w.call(
        "group.user.ban.whitelist.add",
        w.ours("group_mute.add_group_mute_allowlist", user_id=[ANN], group_id=GROUP),
        lambda: allowed.add(ANN, GROUP),
        success(),
    )
    w.call(
        "group.user.ban.whitelist.remove",
        w.ours("group_mute.remove_group_mute_allowlist", user_id=[ANN], group_id=GROUP),
        lambda: allowed.remove(ANN, GROUP),
        success(),
    )
    w.call(
        "group.user.ban.whitelist.query",
        w.ours("group_mute.query_group_mute_allowlist", group_id=GROUP),
        lambda: allowed.query(GROUP),
        success("userIds"),
    )


def conversation_calls(rc: RongCloud) -> None:
    notification = rc.get_conversation().get_notification()
    w.call(
        "conversation.notification.set",
        w.ours(
            "notifications.set_conversation_notification",
            request_id=ANN,
            conversation_type=3,
            target_id=GROUP,
            is_muted=1,
        ),
        lambda: notification.set(3, ANN, GROUP, 1),
        success(),
    )
    w.call(
        "conversation.notification.get",
        w.ours(
            "notifications.get_conversation_notification",
            request_id=ANN,
            conversation_type=3,
            target_id=GROUP,
        ),
        lambda: notification.get(3, ANN, GROUP),
        success("isMuted"),
    )


def chatroom_calls(rc: RongCloud) -> None:
    chatroom = rc.get_chatroom()
    w.call(
        "chatroom.create",
        w.ours(
            "chatrooms.create_chatrooms_legacy",
            chatroom={ROOM: "Friday Live", "room-support": "Support"},
        ),
        lambda: chatroom.create([(ROOM, "Friday Live"), ("room-support", "Support")]),
        success(),
    )
    w.call(
        "chatroom.destroy",
        w.ours("chatrooms.destroy_chatrooms", chatroom_id=[OLD_ROOM]),
        lambda: chatroom.destroy(OLD_ROOM),
        success(),
    )
    w.call(
        "chatroom.query",
        w.ours("chatrooms.query_chatrooms_legacy", chatroom_id=[ROOM, "room-support"]),
        lambda: chatroom.query([ROOM, "room-support"]),
        success("chatRooms"),
    )

    user = chatroom.get_user()
    w.call(
        "chatroom.user.query",
        w.ours("chatroom_members.query_chatroom_members", chatroom_id=ROOM, count=50, order=2),
        lambda: user.query(ROOM, 50, 2),
        success("total", "users"),
    )
    w.call(
        "chatroom.user.isexist",
        w.ours("chatroom_members.check_chatroom_members", chatroom_id=ROOM, user_id=[ANN, BOB]),
        lambda: user.isexist(ROOM, [ANN, BOB]),
        success("result"),
    )

    gag = user.get_gag()
    w.call(
        "chatroom.user.gag.add",
        w.ours(
            "chatroom_members.mute_chatroom_members", user_id=[BOB], chatroom_id=ROOM, minute=10
        ),
        lambda: gag.add(BOB, ROOM, 10),
        success(),
    )
    w.call(
        "chatroom.user.gag.remove",
        w.ours("chatroom_members.unmute_chatroom_members", user_id=[BOB], chatroom_id=ROOM),
        lambda: gag.remove(BOB, ROOM),
        success(),
    )
    w.call(
        "chatroom.user.gag.query",
        w.ours("chatroom_members.query_muted_chatroom_members", chatroom_id=ROOM),
        lambda: gag.query(ROOM),
        success("users"),
    )

    ban = user.get_ban()
    w.call(
        "chatroom.user.ban.add",
        w.ours("chatroom_members.mute_users_in_all_chatrooms", user_id=[CAROL], minute=1440),
        lambda: ban.add(CAROL, 1440),
        success(),
    )
    w.call(
        "chatroom.user.ban.remove",
        w.ours("chatroom_members.unmute_users_in_all_chatrooms", user_id=[CAROL]),
        lambda: ban.remove(CAROL),
        success(),
    )
    w.call(
        "chatroom.user.ban.query",
        w.ours("chatroom_members.query_users_muted_in_all_chatrooms"),
        ban.query,
        success("users"),
    )

    block = user.get_block()
    w.call(
        "chatroom.user.block.add",
        w.ours(
            "chatroom_members.block_chatroom_members",
            user_id=[CAROL],
            chatroom_id=ROOM,
            minute=120,
        ),
        lambda: block.add(CAROL, ROOM, 120),
        success(),
    )
    w.call(
        "chatroom.user.block.remove",
        w.ours("chatroom_members.unblock_chatroom_members", user_id=[CAROL], chatroom_id=ROOM),
        lambda: block.remove(CAROL, ROOM),
        success(),
    )
    w.call(
        "chatroom.user.block.query",
        w.ours("chatroom_members.query_blocked_chatroom_members", chatroom_id=ROOM),
        lambda: block.query(ROOM),
        success("users"),
    )

    protected = user.get_whitelist()
    w.call(
        "chatroom.user.whitelist.add",
        w.ours("chatroom_allowlists.add_chatroom_user_allowlist", chatroom_id=ROOM, user_id=[ANN]),
        lambda: protected.add(ROOM, ANN),
        success(),
    )
    w.call(
        "chatroom.user.whitelist.remove",
        w.ours(
            "chatroom_allowlists.remove_chatroom_user_allowlist", chatroom_id=ROOM, user_id=[ANN]
        ),
        lambda: protected.remove(ROOM, ANN),
        success(),
    )
    w.call(
        "chatroom.user.whitelist.query",
        w.ours("chatroom_allowlists.query_chatroom_user_allowlist", chatroom_id=ROOM),
        lambda: protected.query(ROOM),
        success("users"),
    )

    messages = chatroom.get_message()
    for name, path in (
        ("stop_distribution", "/chatroom/message/stopDistribution.json"),
        ("resume_distribution", "/chatroom/message/resumeDistribution.json"),
    ):
        w.skip(
            f"chatroom.message.{name}",
            f"no operation in the spec: {path} (pausing message distribution in a chatroom) is "
            "not part of the documented API",
        )

    priority = messages.get_priority()
    w.call(
        "chatroom.message.priority.add",
        w.ours(
            "chatroom_priority.add_chatroom_low_priority_types",
            object_name=["RC:ImgMsg", "RC:VcMsg"],
        ),
        lambda: priority.add(["RC:ImgMsg", "RC:VcMsg"]),
        success(),
    )
    w.call(
        "chatroom.message.priority.remove",
        w.ours("chatroom_priority.remove_chatroom_low_priority_types", object_name=["RC:VcMsg"]),
        lambda: priority.remove("RC:VcMsg"),
        success(),
    )
    w.call(
        "chatroom.message.priority.query",
        w.ours("chatroom_priority.query_chatroom_low_priority_types"),
        priority.query,
        success("objectNames"),
    )

    kept = chatroom.get_whitelist()
    w.call(
        "chatroom.whitelist.add",
        w.ours("chatroom_allowlists.add_chatroom_message_allowlist", objectnames=[TEXT]),
        lambda: kept.add(TEXT),
        success(),
    )
    w.call(
        "chatroom.whitelist.remove",
        w.ours("chatroom_allowlists.remove_chatroom_message_allowlist", objectnames=[TEXT]),
        lambda: kept.remove(TEXT),
        success(),
    )
    w.call(
        "chatroom.whitelist.query",
        w.ours("chatroom_allowlists.query_chatroom_message_allowlist"),
        kept.query,
        success("whitlistMsgType"),
    )

    keepalive = chatroom.get_keepalive()
    w.call(
        "chatroom.keepalive.add",
        w.ours("chatroom_keepalive.add_chatroom_keepalive", chatroom_id=ROOM),
        lambda: keepalive.add(ROOM),
        success(),
    )
    w.call(
        "chatroom.keepalive.remove",
        w.ours("chatroom_keepalive.remove_chatroom_keepalive", chatroom_id=ROOM),
        lambda: keepalive.remove(ROOM),
        success(),
    )
    w.call(
        "chatroom.keepalive.query",
        w.ours("chatroom_keepalive.query_chatroom_keepalive"),
        keepalive.query,
        success("chatroomIds"),
    )


def sensitive_calls(rc: RongCloud) -> None:
    sensitive = rc.get_sensitive()
    w.call(
        "sensitive.add",
        w.ours("moderation.add_sensitive_word", word="spam", replace_word="****"),
        lambda: sensitive.add("spam", "****"),
        success(),
    )
    w.call(
        "sensitive.remove",
        w.ours("moderation.remove_sensitive_word", word="spam"),
        lambda: sensitive.remove("spam"),
        success(),
    )
    w.call(
        "sensitive.query",
        w.ours("moderation.list_sensitive_words", type="1"),
        sensitive.query,
        success("words"),
    )


def push_calls(rc: RongCloud) -> None:
    push = rc.get_push()
    offer = {"content": "Spring sale: 20% off all plans until Sunday"}
    w.call(
        "push.broadcast",
        w.ours(
            "system.push_to_tagged_users",
            platform=["ios", "android"],
            fromuserid=ADMIN,
            audience={"tag": ["beijing"], "tag_or": ["vip", "designer"], "is_to_all": False},
            message={"content": json.dumps(offer), "objectName": TEXT},
            notification={
                "alert": "Spring sale",
                "ios": {"alert": "Spring sale on iOS", "extras": {"campaign": "spring"}},
                "android": {"alert": "Spring sale on Android"},
            },
        ),
        lambda: push.broadcast(
            platforms=["ios", "android"],
            from_user_id=ADMIN,
            tags=["beijing"],
            tags_or=["vip", "designer"],
            user_ids=None,
            is_to_all=False,
            content=offer,
            object_name=TEXT,
            alert="Spring sale",
            ios_alert="Spring sale on iOS",
            ios_extras={"campaign": "spring"},
            ios_content_available=None,
            android_alert="Spring sale on Android",
            android_extras=None,
        ),
        success("id"),
    )
    w.call(
        "push.push",
        w.ours(
            "system.push_to_all",
            platform=["ios", "android"],
            audience={"tag": ["vip"], "packageName": "com.example.shop", "is_to_all": False},
            notification={
                "alert": "Your VIP voucher expires tomorrow",
                "ios": {"title": "VIP voucher", "badge": 1},
            },
        ),
        lambda: push.push(
            platforms=["ios", "android"],
            tags=["vip"],
            tags_or=None,
            user_ids=None,
            package_name="com.example.shop",
            is_to_all=False,
            alert="Your VIP voucher expires tomorrow",
            ios_title="VIP voucher",
            ios_alert=None,
            ios_extras=None,
            ios_content_available=None,
            ios_badge=1,
            ios_category=None,
            ios_rich_media_uri=None,
            android_alert=None,
            android_extras=None,
        ),
        success("id"),
    )


def main() -> None:
    rc = RongCloud(w.KEY, w.SECRET, host_url=w.URL)
    w.inventory(calls(modules(rc)))
    declare_quirks()
    user_calls(rc)
    message_calls(rc)
    group_calls(rc)
    conversation_calls(rc)
    chatroom_calls(rc)
    sensitive_calls(rc)
    push_calls(rc)


if __name__ == "__main__":
    main()
