"""The stand-in server: Discord's REST API v10 and gateway, served over loopback with aiohttp."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from types import TracebackType

from aiohttp import web

from sandbox.config import SandboxConfig, SandboxEndpoints
from sandbox.errors import DiscordHTTPError, Violation
from sandbox.gateway import Gateway
from sandbox.lifecycle import Lifecycle
from sandbox.rest import RestAPI
from sandbox.rest_interactions import InteractionAPI
from sandbox.state import SandboxState
from sandbox.threads import ThreadAPI
from sandbox.wire import json_response

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
UNAUTHENTICATED = (API_PREFIX + "/webhooks/", API_PREFIX + "/interactions/")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class SandboxServer:
    """Discord's API and gateway for one bot; start it, point discord.py at it, then drive it."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig.default()
        self.state = SandboxState(self.config)
        self.lifecycle = Lifecycle(self.state)
        self.gateway = Gateway(self.state)
        self.rest = RestAPI(self.state, "")
        self.interactions = InteractionAPI(self.state, self.lifecycle)
        self.threads = ThreadAPI(self.state, self.rest)
        self._runner: web.AppRunner | None = None
        self._endpoints: SandboxEndpoints | None = None

    @property
    def violations(self) -> list[Violation]:
        """Every rule the bot broke so far, oldest first."""
        return self.state.violations

    @property
    def endpoints(self) -> SandboxEndpoints:
        """Where to point discord.py (only once started)."""
        if self._endpoints is None:
            raise RuntimeError("the sandbox server is not started")
        return self._endpoints

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=256 * 1024 * 1024, middlewares=[self._middleware])
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/cdn/attachments/{channel_id}/{attachment_id}/{filename}", self._cdn)
        app.router.add_routes(self.interactions.routes(API_PREFIX))
        app.router.add_routes(self.threads.routes(API_PREFIX))  # first: other channels go on to the REST API
        app.router.add_routes(self.rest.routes(API_PREFIX))
        app.router.add_route("*", "/{tail:.*}", self._unimplemented)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.state.requests.append(f"{request.method} {request.path}")
        try:
            needs_token = request.path.startswith(API_PREFIX) and not request.path.startswith(UNAUTHENTICATED)
            if needs_token and request.headers.get("Authorization") != f"Bot {self.config.token}":
                violation = self.state.violate("request without the bot token", f"{request.method} "
                                               f"{request.path}", kind="endpoint")
                raise DiscordHTTPError(401, 0, "401: Unauthorized", violation=violation)
            return await handler(request)
        except DiscordHTTPError as error:
            log.debug("%s %s -> %s", request.method, request.path, error)
            return json_response(error.body(), status=error.status)

    async def _unimplemented(self, request: web.Request) -> web.StreamResponse:
        self.state.violate("unimplemented endpoint", f"{request.method} {request.path}", kind="endpoint")
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

    async def _cdn(self, request: web.Request) -> web.StreamResponse:
        raw = request.match_info["attachment_id"]
        upload = self.state.uploads.get(int(raw)) if raw.isdigit() else None
        if upload is not None:
            return web.Response(body=upload.data, content_type="application/octet-stream")
        for message in self.state.messages.by_id.values():
            for attachment in message.attachments:
                if str(attachment.id) == raw:
                    return web.Response(body=attachment.data,
                                        content_type=attachment.content_type or "application/octet-stream")
        return web.Response(status=404, text="asset not found")

    async def start(self) -> SandboxEndpoints:
        """Bind to ``config.host``:``config.port`` (0 = any free port) and serve."""
        runner = web.AppRunner(self._app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.config.host, self.config.port)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        base = f"http://{host}:{port}"
        self.state.base_url = base
        gateway_url = f"ws://{host}:{port}/gateway"
        self.gateway.url = gateway_url
        self.rest.gateway_url = gateway_url
        self._endpoints = SandboxEndpoints(
            api_base=base, gateway_url=gateway_url, token=self.config.token,
            dev_guild_id=self.config.dev_guild_id, guild_ids=frozenset(g.id for g in self.config.guilds),
            application_id=self.config.application_id)
        log.info("sandbox serving Discord's API at %s and its gateway at %s", base, gateway_url)
        return self._endpoints

    async def stop(self) -> None:
        """Close the gateway, cancel interaction timers and stop serving."""
        self.lifecycle.close()
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()
