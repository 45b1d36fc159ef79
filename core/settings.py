"""One settings object; nothing else in the project reads the environment.

Every value has an embedded default that runs the whole system on one machine (SQLite, the Temporal
dev server, the local SMTP mailbox and the Webex emulator). Outside development the default secrets
are refused, so a city cannot go live with the demo keys by accident.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Literal

from limits import parse_many
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.payload_crypto import KeyRing

DEV_LINK_SECRET = "dev-only-link-secret-change-me"
DEV_WEBEX_TOKEN = "dev-webex-token"
DEV_WEBHOOK_SECRET = "dev-webhook-secret"
# The development payload key (base64 of 32 bytes): public, so production refuses it.
DEV_PAYLOAD_KEY = "ZGV2LW9ubHktcGF5bG9hZC1rZXktY2hhbmdlLW1lISE="
# The demo's second municipality has a development key of its own (public too), so that `make run`
# and the tests encrypt with two keys.
DEV_HUEDIN_PAYLOAD_KEY = "ZGV2LW9ubHktaHVlZGluLXBheWxvYWQta2V5LSEhISE="
DEV_PAYLOAD_KEYS = f"dev:{DEV_PAYLOAD_KEY},huedin-dev:{DEV_HUEDIN_PAYLOAD_KEY}"
# An exact origin: no wildcard, path, query or user part (a CORS allow-list entry, compared verbatim).
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TICHET_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # Municipalities are data (the `municipalities` table, issue 11). The default one owns every row
    # and ticket from before tenancy, answers requests that name none, and is described by
    # `city_name`, `time_zone`, `booking_window_mode` and `smtp_sender` until it has a row of its own.
    default_municipality: str = Field(default="cluj-napoca", pattern=r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")
    city_name: str = "Municipiul Cluj-Napoca"
    time_zone: str = "Europe/Bucharest"
    # R5 preset: "within" (meeting within 48 h, counted on working days) or "at_least" (the city
    # page's "at least 48 h notice"). Every ticket carries the rules it started under.
    booking_window_mode: Literal["within", "at_least"] = "within"

    database_url: str = "sqlite:///.data/tichet.db"

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "tichet-albastru"
    # The worker's Prometheus endpoint (Temporal SDK metrics: task latencies, activity failures,
    # schedule-to-start...), e.g. "127.0.0.1:9464"; empty: none.
    worker_metrics_address: str = ""
    # Temporal Worker Versioning (README, "Operating it"): with a build id the worker polls as that
    # version of the worker deployment, and a running ticket moves to the version ops make current
    # (auto-upgrade; the patches and the replay gate keep that safe). Empty: an unversioned worker.
    worker_deployment_name: str = Field(default="tichet-albastru", min_length=1)
    worker_build_id: str = ""
    # The worker's sticky cache: how many workflows it keeps in memory between their tasks (the SDK's
    # `max_cached_workflows`). A cached ticket costs memory (its sandbox holds its own copy of the
    # workflow modules), an evicted one replays its history on its next task; every waiting ticket is
    # open for days, so the cache must be bounded well below the open tickets (README, Benchmarks).
    # 0: no cache, every workflow task replays the whole history.
    worker_max_cached_workflows: int = Field(default=200, ge=0)

    public_base_url: str = "http://127.0.0.1:8000"
    link_secret: str = DEV_LINK_SECRET

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_sender: str = "Tichet Albastru <tichet-albastru@primaria.example>"
    # Delivery status (issue 12): every email's envelope sender (its Return-Path), so bounces (RFC 3464
    # reports) go to this address; the city's mail server hands what arrives there to the worker's
    # bounce receiver, an SMTP server on `bounce_smtp_host:bounce_smtp_port` (0: not started). Empty
    # address: the envelope sender is the From address, as before.
    bounce_address: str = "bounces@primaria.example"
    bounce_smtp_host: str = "127.0.0.1"
    bounce_smtp_port: int = Field(default=0, ge=0, le=65535)

    webex_base_url: str = "http://127.0.0.1:8300/v1/"
    webex_token: str = DEV_WEBEX_TOKEN
    webex_webhook_secret: str = DEV_WEBHOOK_SECRET

    # Data protection (issue 9): a ticket's contact data is erased this many days after its last
    # audience ended (the daily `RetentionPurge` schedule), and Temporal keeps a closed ticket's
    # history (which holds them too, encrypted) this many days; `python -m devstack.temporal_setup`
    # sets the namespace to it.
    contact_retention_days: int = Field(default=90, ge=1)
    temporal_retention_days: int = Field(default=60, ge=1)

    # The public notices (issue 12): `/accesibilitate` (the accessibility statement, whose feedback form
    # is stored and emailed to `accessibility_contact_email`) and `/confidentialitate` (the privacy
    # notice, which names the data protection officer). A city fills in its own (README: "The city's
    # contact details"); an empty value shows a visible "to be filled in" placeholder on the page.
    accessibility_contact_email: str = "accesibilitate@primaria.example"
    accessibility_contact_phone: str = ""
    city_postal_address: str = ""
    dpo_email: str = "dpo@primaria.example"
    # The day the accessibility statement was last prepared or reviewed (how: the page says).
    accessibility_statement_date: date = date(2026, 12, 3)

    # Every Temporal payload is encrypted (core/payload_crypto.py). `payload_keys` is the keyring,
    # `id:base64key[,id:base64key…]`; new payloads use `payload_key_id`, old ones decode while their key
    # stays in the ring (rotation: add the new key, switch the id, keep the old key until its tickets
    # and the namespace retention are past).
    payload_keys: str = DEV_PAYLOAD_KEYS
    payload_key_id: str = "dev"
    # Keys per municipality (issue 11): `municipality:key_id[,…]`, each id a key of `payload_keys`; a
    # municipality's new payloads use its last listed id (the earlier ones: its keys before a rotation),
    # a municipality not listed uses `payload_key_id`. The codec server decodes a payload for the staff
    # of the municipality owning its key (national ops: every one). Secrets stay in the settings. The
    # default holds only with the development ring (`_dev_city_keys_only_with_the_dev_ring`).
    municipality_payload_key_ids: str = "huedin:huedin-dev"

    # The Temporal UI origins the codec server (`/codec`, `/personal/codec`) sends CORS headers to,
    # comma-separated `scheme://host[:port]`; every other origin gets none (http_api/codec.py).
    temporal_ui_origins: str = "http://127.0.0.1:8233,http://localhost:8233"

    # Abuse limits (issue 10, http_api/rate_limits.py). Each limit is a `limits` string, several
    # joined by ";" ("30/minute;300/hour"). The store is shared by every API instance in production
    # (`redis://host:6379/0`); `memory://` (the default) counts in this process only.
    rate_limits_enabled: bool = True
    rate_limit_storage: str = "memory://"
    rate_limit_key_prefix: str = "tichet"
    rate_limit_slots_per_address: str = "30/minute;300/hour"
    rate_limit_slots_per_file: str = "20/minute;100/hour"
    rate_limit_tickets_per_address: str = "10/minute;50/hour"
    rate_limit_tickets_per_file: str = "5/minute;20/hour"
    rate_limit_link_per_address: str = "120/minute;1000/hour"
    rate_limit_link_per_ticket: str = "60/minute;500/hour"
    rate_limit_sign_in_per_address: str = "10/minute;50/hour"
    rate_limit_codec_per_address: str = "600/minute"
    rate_limit_feedback_per_address: str = "5/minute;20/hour"
    # Behind a reverse proxy: the header it puts the client's address in (e.g. X-Forwarded-For), read
    # only on a connection from one of `trusted_proxies` (addresses or networks, comma-separated).
    # Empty: the connection's own address is the client's, whatever the headers say.
    trusted_proxy_header: str = ""
    trusted_proxies: str = ""

    # Request size limits (issue 10, http_api/body_limits.py), in bytes: refused with 413 before the
    # body is read whole. The codec server carries Temporal payloads (up to 2 MB each), so its own.
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_webhook_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_codec_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)

    @property
    def payload_keyring(self) -> KeyRing:
        return KeyRing.parse(self.payload_keys, self.payload_key_id, self.municipality_payload_key_ids)

    @property
    def temporal_ui_origin_set(self) -> frozenset[str]:
        return frozenset(
            o.strip().rstrip("/").lower() for o in self.temporal_ui_origins.split(",") if o.strip()
        )

    @model_validator(mode="after")
    def _ui_origins_are_origins(self) -> Settings:
        bad = [o for o in self.temporal_ui_origin_set if not _ORIGIN.fullmatch(o)]
        if bad:
            raise ValueError(f"TICHET_TEMPORAL_UI_ORIGINS: not scheme://host[:port] origins: {bad}")
        return self

    @property
    def trusted_proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return tuple(
            ip_network(p.strip(), strict=False) for p in self.trusted_proxies.split(",") if p.strip()
        )

    @model_validator(mode="after")
    def _abuse_limits_must_parse(self) -> Settings:
        """A mistyped limit or proxy address stops the process at start-up, by name."""
        for name in type(self).model_fields:
            if name.startswith("rate_limit_") and "_per_" in name:
                try:
                    parse_many(getattr(self, name))
                except ValueError as err:
                    raise ValueError(f"TICHET_{name.upper()}: {err}") from None
        try:
            self.trusted_proxy_networks  # noqa: B018
        except ValueError as err:
            raise ValueError(f"TICHET_TRUSTED_PROXIES: {err}") from None
        return self

    @model_validator(mode="after")
    def _dev_city_keys_only_with_the_dev_ring(self) -> Settings:
        """The default maps Huedin to `huedin-dev`, a key of the development ring only: a deployment
        that brings its own ring and says nothing of municipalities puts every city on its key id,
        instead of failing at start-up over a demo key it never had."""
        if (
            "municipality_payload_key_ids" not in self.model_fields_set
            and self.payload_keys != DEV_PAYLOAD_KEYS
        ):
            self.municipality_payload_key_ids = ""
        return self

    @model_validator(mode="after")
    def _keyring_must_work(self) -> Settings:
        self.payload_keyring  # noqa: B018 - a broken keyring stops the process at start-up, by name
        return self

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            defaults = {
                "TICHET_LINK_SECRET": self.link_secret == DEV_LINK_SECRET,
                "TICHET_WEBEX_TOKEN": self.webex_token == DEV_WEBEX_TOKEN,
                "TICHET_WEBEX_WEBHOOK_SECRET": self.webex_webhook_secret == DEV_WEBHOOK_SECRET,
                "TICHET_PAYLOAD_KEYS": DEV_PAYLOAD_KEY in self.payload_keys
                or DEV_HUEDIN_PAYLOAD_KEY in self.payload_keys,
            }
            still_default = [name for name, is_default in defaults.items() if is_default]
            if still_default:
                raise ValueError(f"set these before running in production: {still_default}")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
