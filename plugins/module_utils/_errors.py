# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exception hierarchy of aicc.cms: str(error) is one sentence a user can act on.

No message ever contains the secret key or the Authorization header.
"""

from __future__ import annotations

SHOWN_IDS = 20  # equipment IDs named in one sentence; the rest are counted


def first_ids(ids, limit: int = SHOWN_IDS) -> str:
    """'a, b, c' with at most ``limit`` IDs, then how many more."""
    ids = list(ids)
    shown = ', '.join(ids[:limit])
    return shown + (f' and {len(ids) - limit} more' if len(ids) > limit else '')


class AiccError(Exception):
    """Base class of every error raised by the collection's core."""


class OptionError(AiccError):
    """An option is invalid; raised before any request is sent."""


class PlanError(OptionError):
    """An EID, range or pattern cannot be planned into bounded queries."""


class ApiError(AiccError):
    """Anything that went wrong talking to CC-CMS."""


class AuthenticationError(ApiError):
    """CC-CMS answered HTTP 401."""


class ResultCodeError(ApiError):
    """CC-CMS answered with a resultCode other than 0100000."""

    def __init__(self, message: str, result_code: str, result_desc: object = None) -> None:
        super().__init__(message)
        self.result_code = result_code
        self.result_desc = result_desc


class UnexpectedResponseError(ApiError):
    """HTTP status, content type or JSON shape not as documented."""


class NoResponseError(ApiError):
    """No answer within the time-out, after every retry."""


class ConnectionFailedError(ApiError):
    """Connection refused, reset or name not resolved, after every retry."""


class TlsError(ApiError):
    """The server certificate could not be verified."""


class RequestBudgetError(ApiError):
    """A task reached the number of requests it may send; ``standing``: the readings its last query left."""

    standing: dict | None = None
    rows: list | None = None


class TotalTimeoutError(NoResponseError):
    """The deadline of the whole task (total_timeout) passed."""


class ResponseTooLargeError(UnexpectedResponseError):
    """An answer grew past the cap on its decompressed size."""
