"""A fake Telegram Bot API server over real HTTP: it serves injected updates and records calls.

The real PTB Application talks to it through ``base_url``. Tests inject updates (built with the
helpers below, entity offsets in UTF-16 like Telegram), queue error replies per method (429,
403, migrate, 5xx, …) and read back every call the bot made. Documents users send are served
as Telegram does: ``getFile`` gives a path, ``/file/bot<token>/<path>`` the bytes (refused,
like Telegram, above the 20 MB a bot may download).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import socket
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token_for-fake-api"
BOT_USER: dict[str, Any] = {
    "id": 700_000_001,
    "is_bot": True,
    "first_name": "Thi Đua",
    "username": "thidua_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
# Parameters PTB sends JSON-encoded; everything else arrives as a plain string.
_JSON_PARAMS = frozenset({
    "reply_markup", "results", "commands", "entities", "reply_parameters", "link_preview_options",
    "allowed_updates", "button", "caption_entities", "media", "scope",
})
# A group's service messages come "from" its creator; any user id will do.
BOT_USER_SERVICE: dict[str, Any] = {"id": 1, "is_bot": False, "first_name": "Telegram"}
_ADMIN_RIGHTS = (
    "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
    "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
    "can_post_stories", "can_edit_stories", "can_delete_stories",
)
# Telegram lets bots download files up to 20 MB; getFile refuses bigger ones.
DOWNLOAD_LIMIT = 20 * 1024 * 1024
_COMMAND = re.compile(r"^/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")
_MENTION = re.compile(r"@[A-Za-z0-9_]{5,32}")


def user(user_id: int, first_name: str = "Lan") -> dict[str, Any]:
    """A Telegram user object."""
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}


def private_chat(of: dict[str, Any]) -> dict[str, Any]:
    """The private chat with ``of``."""
    return {"id": of["id"], "type": "private", "first_name": of["first_name"]}


def group_chat(chat_id: int, title: str = "Cán bộ phường") -> dict[str, Any]:
    """A supergroup chat (its id is negative, like Telegram's)."""
    return {"id": chat_id, "type": "supergroup", "title": title}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def text_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram would attach: a leading bot command and @mentions."""
    entities = []
    command = _COMMAND.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command[0])})
    for mention in _MENTION.finditer(text):
        if command and mention.start() < command.end():
            continue
        entities.append({"type": "mention", "offset": utf16_len(text[: mention.start()]),
                         "length": utf16_len(mention[0])})
    return entities


@dataclass(frozen=True, slots=True)
class ApiError:
    """An error reply of the Bot API, queued for a method with ``FakeBotApi.fail_next``."""

    status: int
    description: str
    parameters: dict[str, Any] | None = None

    @classmethod
    def too_many_requests(cls, retry_after: int) -> ApiError:
        """429: flood limit hit; PTB raises ``RetryAfter``."""
        return cls(429, f"Too Many Requests: retry after {retry_after}",
                   {"retry_after": retry_after})

    @classmethod
    def forbidden(cls, description: str = "Forbidden: bot was blocked by the user") -> ApiError:
        """403: blocked or removed; PTB raises ``Forbidden``."""
        return cls(403, description)

    @classmethod
    def chat_migrated(cls, new_chat_id: int) -> ApiError:
        """400 with migrate_to_chat_id: the group became a supergroup; ``ChatMigrated``."""
        return cls(400, "Bad Request: group chat was upgraded to a supergroup chat",
                   {"migrate_to_chat_id": new_chat_id})

    @classmethod
    def bad_request(cls, description: str = "Bad Request: chat not found") -> ApiError:
        """400: PTB raises ``BadRequest``."""
        return cls(400, description)

    @classmethod
    def server_error(cls, status: int = 502) -> ApiError:
        """5xx: PTB raises ``NetworkError``."""
        return cls(status, "Bad Gateway" if status == 502 else "Internal Server Error")

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.status,
                                "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request the bot made (getUpdates excepted): parameters, and the result or error.

    Uploaded files show in ``params`` as ``<file name>``; their bytes are in ``files``.
    """

    method: str
    params: dict[str, Any]
    result: Any = None
    error: ApiError | None = None
    at: float = field(default_factory=time.monotonic)
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def chat_id(self) -> int | None:
        """The target chat as a number, when the call has one."""
        chat_id = self.params.get("chat_id")
        return int(chat_id) if chat_id is not None else None

    @property
    def text(self) -> str:
        """The text sent (HTML as the bot wrote it), or ``""``."""
        return self.params.get("text", "")


class FakeBotApi:
    """The fake server. Use ``async with FakeBotApi() as api`` (or the ``fake_bot_api`` fixture)."""

    def __init__(self, token: str = TOKEN, bot_user: dict[str, Any] | None = None,
                 port: int = 0) -> None:
        self.token = token
        self.bot_user = bot_user or BOT_USER
        self.calls: list[ApiCall] = []
        self.confirmed_offset = 0
        self.last_update_id = 0
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._ids = itertools.count(1)
        self._errors: dict[str, deque[ApiError]] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        self._chat_errors: dict[tuple[str, int], deque[ApiError]] = defaultdict(deque)
        self._admins: dict[int, set[int]] = defaultdict(set)
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._changed = asyncio.Event()
        self._closing = False
        self.down = False
        self.fetched: set[int] = set()
        self._late: dict[int, tuple[float, int]] = {}
        self._runner: web.AppRunner | None = None
        self._files: dict[str, tuple[bytes, int]] = {}  # file_id → bytes, size Telegram reports
        self.downloads: list[str] = []  # file paths the bot downloaded
        self.port = port  # 0: a free one

    @property
    def base_url(self) -> str:
        """PTB's ``base_url`` for this server (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def __aenter__(self) -> FakeBotApi:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    # Injecting updates -------------------------------------------------------------------

    def add_update(self, payload: dict[str, Any]) -> int:
        """Queue an update (``{"message": …}`` etc.) for getUpdates; return its update_id."""
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **payload})
        self.last_update_id = update_id
        self._notify()
        return update_id

    def send_text(self, sender: dict[str, Any], text: str, chat: dict[str, Any] | None = None,
                  reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        """Deliver a text message from ``sender`` (in their private chat unless ``chat``)."""
        message = self._text_message(sender, text, chat, reply_to)
        self.add_update({"message": message})
        return message

    def text_update(self, sender: dict[str, Any], text: str,
                    chat: dict[str, Any] | None = None) -> dict[str, Any]:
        """A text message update with the next update_id, for a test to post to a webhook."""
        update_id = next(self._update_ids)
        self.last_update_id = update_id
        return {"update_id": update_id, "message": self._text_message(sender, text, chat, None)}

    def _text_message(self, sender: dict[str, Any], text: str, chat: dict[str, Any] | None,
                      reply_to: dict[str, Any] | None) -> dict[str, Any]:
        message = self._message(sender, chat, text=text)
        entities = text_entities(text)
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    def send_sticker(self, sender: dict[str, Any],
                     chat: dict[str, Any] | None = None) -> dict[str, Any]:
        """Deliver a sticker from ``sender``."""
        sticker = {"file_id": "sticker-1", "file_unique_id": "s1", "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False,
                   "emoji": "👍"}
        message = self._message(sender, chat, sticker=sticker)
        self.add_update({"message": message})
        return message

    def send_photo(self, sender: dict[str, Any], caption: str | None = None,
                   chat: dict[str, Any] | None = None, document: bool = False,
                   reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        """Deliver a photo (or a document) from ``sender``, with ``caption`` if given."""
        if document:
            content: dict[str, Any] = {"document": {
                "file_id": "doc-1", "file_unique_id": "d1", "file_name": "bao-cao.pdf",
                "mime_type": "application/pdf", "file_size": 12_345}}
        else:
            content = {"photo": [{"file_id": "photo-in-1", "file_unique_id": "pi1",
                                  "width": 640, "height": 480, "file_size": 40_000}]}
        message = self._message(sender, chat, **content)
        if caption is not None:
            message["caption"] = caption
            entities = text_entities(caption)
            if entities:
                message["caption_entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self.add_update({"message": message})
        return message

    def send_document(self, sender: dict[str, Any], name: str, data: bytes,
                      mime_type: str | None = None, caption: str | None = None,
                      size: int | None = None, forwarded_from: dict[str, Any] | None = None,
                      chat: dict[str, Any] | None = None) -> dict[str, Any]:
        """Deliver a document from ``sender`` whose bytes ``getFile`` then serves.

        ``size`` is the size Telegram reports (a large file without the bytes to match);
        ``forwarded_from``: the user the document was forwarded from.
        """
        file_id = f"file-{next(self._ids)}"
        self._files[file_id] = (data, len(data) if size is None else size)
        document: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"u{file_id}",
                                    "file_name": name, "file_size": self._files[file_id][1]}
        if mime_type:
            document["mime_type"] = mime_type
        message = self._message(sender, chat, document=document)
        if caption is not None:
            message["caption"] = caption
        if forwarded_from is not None:
            message["forward_origin"] = {"type": "user", "date": int(time.time()) - 60,
                                         "sender_user": forwarded_from}
        self.add_update({"message": message})
        return message

    def press_button(self, sender: dict[str, Any], message: dict[str, Any] | None,
                     data: str, inline_message_id: str | None = None) -> str:
        """Deliver a callback query for a button under ``message`` (or an inline message)."""
        query = self._callback_query(sender, message, data, inline_message_id)
        self.add_update({"callback_query": query})
        return query["id"]

    def button_update(self, sender: dict[str, Any], message: dict[str, Any],
                      data: str) -> dict[str, Any]:
        """A button press under ``message`` with the next update_id, to post to a webhook."""
        update_id = next(self._update_ids)
        self.last_update_id = update_id
        return {"update_id": update_id,
                "callback_query": self._callback_query(sender, message, data, None)}

    def _callback_query(self, sender: dict[str, Any], message: dict[str, Any] | None,
                        data: str, inline_message_id: str | None) -> dict[str, Any]:
        query: dict[str, Any] = {"id": f"cbq-{next(self._ids)}", "from": sender,
                                 "chat_instance": "ci-1", "data": data}
        if message is not None:
            query["message"] = message
        if inline_message_id is not None:
            query["inline_message_id"] = inline_message_id
        return query

    def inline_query(self, sender: dict[str, Any], text: str) -> str:
        """Deliver an inline query (``@bot text`` typed in any chat)."""
        query_id = f"iq-{next(self._ids)}"
        self.add_update({"inline_query": {"id": query_id, "from": sender, "query": text,
                                          "offset": "", "chat_type": "private"}})
        return query_id

    def _message(self, sender: dict[str, Any], chat: dict[str, Any] | None,
                 **content: Any) -> dict[str, Any]:
        chat = chat or private_chat(sender)
        self._chats[chat["id"]] = chat
        return {"message_id": next(self._message_ids), "date": int(time.time()),
                "chat": chat, "from": sender, **content}

    # Queuing errors ------------------------------------------------------------------------

    def fail_next(self, method: str, error: ApiError, times: int = 1,
                  chat_id: int | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id`` only, if given)."""
        queue = self._errors[method] if chat_id is None else self._chat_errors[method, chat_id]
        queue.extend([error] * times)

    def slow_down(self, method: str, seconds: float) -> None:
        """Answer every later call of ``method`` only after ``seconds`` (a slow network)."""
        self._delays[method] = seconds

    def answer_late(self, chat_id: int, seconds: float, times: int = 1) -> None:
        """Accept the next ``times`` sends to ``chat_id`` but answer only after ``seconds``.

        The message counts as delivered (``texts_to`` lists it): the bot's read timeout loses
        Telegram's answer, as when a reply is lost on the way back.
        """
        self._late[chat_id] = (seconds, times)

    # Chat membership -------------------------------------------------------------------------

    def make_admin(self, chat: dict[str, Any], sender: dict[str, Any]) -> None:
        """Make ``sender`` an administrator of ``chat`` (getChatMember says so)."""
        self._admins[chat["id"]].add(sender["id"])

    def add_bot(self, chat: dict[str, Any], by: dict[str, Any]) -> None:
        """Deliver the my_chat_member update of the bot being added to ``chat``."""
        self._chats[chat["id"]] = chat
        self.add_update({"my_chat_member": {
            "chat": chat, "from": by, "date": int(time.time()),
            "old_chat_member": {"status": "left", "user": self.bot_user},
            "new_chat_member": {"status": "member", "user": self.bot_user},
        }})

    def remove_bot(self, chat: dict[str, Any], by: dict[str, Any]) -> None:
        """Deliver the my_chat_member update of the bot being removed from ``chat``."""
        self._chats[chat["id"]] = chat
        self.add_update({"my_chat_member": {
            "chat": chat, "from": by, "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": self.bot_user},
            "new_chat_member": {"status": "left", "user": self.bot_user},
        }})

    def migrate_group(self, chat: dict[str, Any], new_chat_id: int) -> None:
        """Deliver the service message of a group becoming the supergroup ``new_chat_id``."""
        message = self._message(BOT_USER_SERVICE, chat, migrate_to_chat_id=new_chat_id)
        self.add_update({"message": message})

    # Reading what the bot did ----------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """Every call of ``method`` so far, in order."""
        return [call for call in self.calls if call.method == method]

    def texts_to(self, chat_id: int) -> list[str]:
        """The texts of the messages to ``chat_id`` that were accepted, in order."""
        return [c.text for c in self.calls_to("sendMessage")
                if c.chat_id == chat_id and c.error is None]

    async def ask(self, sender: dict[str, Any], text: str,
                  chat: dict[str, Any] | None = None,
                  reply_to: dict[str, Any] | None = None) -> ApiCall:
        """Send ``text`` and return the next message the bot gets accepted in that chat.

        ``reply_to``: the message it replies to.
        """
        chat_id = (chat or sender)["id"]
        before = len(self.texts_to(chat_id))
        self.send_text(sender, text, chat=chat, reply_to=reply_to)
        await self.wait_until(lambda: len(self.texts_to(chat_id)) > before)
        return [c for c in self.calls_to("sendMessage")
                if c.chat_id == chat_id and c.error is None][before]

    def sent_message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """A message the bot sent, as it is now (after edits), in Bot API form."""
        return self._messages[(chat_id, message_id)]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[ApiCall]:
        """Wait until ``method`` has been called ``count`` times; return those calls."""
        await self.wait_until(lambda: len(self.calls_to(method)) >= count, timeout)
        return self.calls_to(method)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``condition()`` holds after some call or update (TimeoutError if not)."""
        async with asyncio.timeout(timeout):
            while not condition():
                await self._changed.wait()

    def _notify(self) -> None:
        # Waiters hold the event they waited on; a fresh one serves the next round.
        self._changed.set()
        self._changed = asyncio.Event()

    # Serving the API -------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        files: dict[str, bytes] = {}
        params = await _params(request, files)
        if self.down:  # Telegram unreachable: every method fails until it is back
            error = ApiError.server_error()
            if method != "getUpdates":
                self._record(ApiCall(method, params, error=error, files=files))
            return web.json_response(error.body(), status=error.status)
        if method == "getUpdates":
            updates = await self._get_updates(params)
            self.fetched.update(u["update_id"] for u in updates)
            return web.json_response({"ok": True, "result": updates})
        if method in self._delays:
            await asyncio.sleep(self._delays[method])
        chat_id = params.get("chat_id")
        queued = self._chat_errors.get((method, int(chat_id)), deque()) if chat_id else deque()
        queued = queued or self._errors[method]
        reply = queued.popleft() if queued else self._reply(method, params)
        if reply is None:
            reply = ApiError(404, "Not Found")
        if isinstance(reply, ApiError):
            self._record(ApiCall(method, params, error=reply, files=files))
            return web.json_response(reply.body(), status=reply.status)
        self._record(ApiCall(method, params, result=reply, files=files))
        late = self._late.get(int(chat_id)) if chat_id and method == "sendMessage" else None
        if late is not None:
            seconds, times = late
            if times > 1:
                self._late[int(chat_id)] = (seconds, times - 1)
            else:
                del self._late[int(chat_id)]
            await asyncio.sleep(seconds)
        return web.json_response({"ok": True, "result": reply})

    def _record(self, call: ApiCall) -> None:
        self.calls.append(call)
        self._notify()

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))
        if offset:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._notify()
        limit = int(params.get("limit", 100))
        timeout = float(params.get("timeout", 0))

        def pending() -> list[dict[str, Any]]:
            return [u for u in self._updates if u["update_id"] >= offset][:limit]

        with contextlib.suppress(TimeoutError):
            await self.wait_until(lambda: bool(pending()) or self._closing, timeout)
        return pending()

    def _reply(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return self.bot_user
        if method in ("sendMessage", "sendPhoto", "sendDocument"):
            return self._store_sent(method, params)
        if method == "getFile":
            return self._file(params["file_id"])
        if method in ("editMessageText", "editMessageReplyMarkup"):
            return self._edit(params)
        scope = params.get("scope") or {}
        if scope.get("type") == "chat" and int(scope["chat_id"]) not in self._chats:
            # Like Telegram: a private chat exists once its user has written to the bot.
            return ApiError.bad_request("Bad Request: chat not found")
        if method in ("setMyCommands", "deleteMyCommands", "setMyDescription",
                      "setMyShortDescription", "deleteWebhook", "setWebhook",
                      "answerCallbackQuery", "answerInlineQuery", "sendChatAction",
                      "leaveChat", "close", "logOut"):
            return True
        if method == "getChatMember":
            chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
            status = "administrator" if user_id in self._admins[chat_id] else "member"
            member: dict[str, Any] = {"status": status, "user": user(user_id)}
            if status == "administrator":
                member.update({flag: flag != "is_anonymous" for flag in _ADMIN_RIGHTS})
                member["can_be_edited"] = False
            return member
        if method == "getMyCommands":
            commands = self.calls_to("setMyCommands")
            return commands[-1].params["commands"] if commands else []
        return None

    def _file(self, file_id: str) -> dict[str, Any] | ApiError:
        if file_id not in self._files:
            return ApiError.bad_request("Bad Request: invalid file_id")
        size = self._files[file_id][1]
        if size > DOWNLOAD_LIMIT:
            return ApiError.bad_request("Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": size,
                "file_path": f"documents/{file_id}"}

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rpartition("/")[2]
        if file_id not in self._files:
            return web.Response(status=404)
        self.downloads.append(request.match_info["path"])
        self._notify()
        return web.Response(body=self._files[file_id][0])

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self._chats:
            return self._chats[chat_id]
        return {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup",
                **({"first_name": "Lan"} if chat_id > 0 else {"title": "Nhóm"})}

    def _store_sent(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {"message_id": next(self._message_ids),
                                   "date": int(time.time()), "chat": self._chat(chat_id),
                                   "from": self.bot_user}
        if method == "sendPhoto":
            message["photo"] = [{"file_id": "photo-1", "file_unique_id": "p1",
                                 "width": 800, "height": 600}]
        elif method == "sendDocument":
            message["document"] = {"file_id": f"sent-{message['message_id']}",
                                   "file_unique_id": f"s{message['message_id']}",
                                   "file_name": str(params.get("document", ""))}
        if method != "sendMessage" and "caption" in params:
            message["caption"] = params["caption"]
        if method == "sendMessage":
            message["text"] = params["text"]
        # A sent message carries only an inline keyboard; ForceReply and keyboards are not echoed.
        if (params.get("reply_markup") or {}).get("inline_keyboard"):
            message["reply_markup"] = params["reply_markup"]
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _edit(self, params: dict[str, Any]) -> dict[str, Any] | bool | ApiError:
        if "inline_message_id" in params:
            return True
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self._messages:
            return ApiError.bad_request("Bad Request: message to edit not found")
        message = self._messages[key]
        markup = params.get("reply_markup")
        text = params.get("text", message.get("text"))
        if message.get("text") == text and message.get("reply_markup") == markup:
            return ApiError.bad_request(
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message"
            )
        message["text"] = text
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return message


async def _params(request: web.Request, files: dict[str, bytes]) -> dict[str, Any]:
    """The request's parameters (query string, form or JSON body); uploads go into ``files``."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
        return params
    for name, value in (await request.post()).items():
        if not isinstance(value, str):
            params[name] = f"<file {getattr(value, 'filename', name)}>"
            files[name] = value.file.read()
        elif name in _JSON_PARAMS:
            params[name] = json.loads(value)
        else:
            params[name] = value
    return params
