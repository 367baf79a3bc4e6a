"""What every web route reaches through `request.app.state`: the station, its parts, and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from loa114.scheduler.accounts import ProvinceAccounts, Tokens, Users
from loa114.scheduler.clock import Clock
from loa114.scheduler.config import Config
from loa114.scheduler.service.driver import Driver
from loa114.scheduler.service.station import Station
from loa114.scheduler.store import Store
from loa114.scheduler.web.pagecache import PageCache

COMMUNE_KEY = "commune"  # the session's commune, chosen at sign-in when the site serves several
PROVINCE_KEY = "province"  # set when the session's person is a province account (the commune: the one viewed)


@dataclass(frozen=True)
class WebContext:
    runtime: Driver
    pages: PageCache

    @staticmethod
    def of(request: Request) -> WebContext:
        """The context of the commune this request is about: the session's (or the token's, set on
        `request.state.commune` when it was read), else the site's first commune."""
        sites = WebContext.sites(request)
        if len(sites) > 1:
            if not hasattr(request.state, "principal") and "authorization" in request.headers:
                from loa114.scheduler.web.auth import principal_of  # (auth reads this module)

                principal_of(request)  # a token names its commune: read it before choosing one
            key = getattr(request.state, "commune", None) or request.session.get(COMMUNE_KEY)
            chosen = sites.get(key) if isinstance(key, str) else None
            if chosen is not None:
                return chosen
        context: WebContext = request.app.state.web
        return context

    @staticmethod
    def sites(request: Request) -> dict[str, WebContext]:
        sites: dict[str, WebContext] = request.app.state.sites
        return sites

    @staticmethod
    def province(request: Request) -> ProvinceAccounts | None:
        """The province's own accounts, when this site serves a province (`create_web(province=...)`)."""
        accounts: ProvinceAccounts | None = request.app.state.province
        return accounts

    @property
    def station(self) -> Station:
        return self.runtime.station

    @property
    def config(self) -> Config:
        return self.runtime.station.config

    @property
    def store(self) -> Store:
        return self.runtime.station.app.store

    @property
    def users(self) -> Users:
        return self.runtime.station.app.users

    @property
    def tokens(self) -> Tokens:
        return self.runtime.station.app.tokens

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    def now(self) -> datetime:
        return self.runtime.clock.now()
