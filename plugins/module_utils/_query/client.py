# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CC-CMS queryterminalstatus client: one HTTP session, signing, paging, retries, bounded concurrency."""

from __future__ import annotations

import concurrent.futures
import datetime
import email.utils
import json
import os
import re
import threading
import time
import traceback
import typing as t
import urllib.parse
import warnings

from ansible_collections.aicc.cms.plugins.module_utils._errors import (
    AiccError,
    ApiError,
    AuthenticationError,
    ConnectionFailedError,
    NoResponseError,
    OptionError,
    RequestBudgetError,
    ResponseTooLargeError,
    ResultCodeError,
    TlsError,
    TotalTimeoutError,
    UnexpectedResponseError,
)
from ansible_collections.aicc.cms.plugins.module_utils._limits import Number, check_number
from ansible_collections.aicc.cms.plugins.module_utils._query.budget import NoSlot, SlotBudget
from ansible_collections.aicc.cms.plugins.module_utils._query.normalizer import Page, Row, parse_page
from ansible_collections.aicc.cms.plugins.module_utils._query.pager import Pager, ServerProfile
from ansible_collections.aicc.cms.plugins.module_utils._query.signer import sign
from ansible_collections.aicc.cms.plugins.module_utils._query.transport import (
    MAX_RESPONSE_BYTES,
    BodyFailed,
    Deadline,
    ResponseTooLarge,
    WatchedAdapter,
    read_body,
    watchdog,
)

try:
    import requests
    from urllib3.exceptions import InsecureRequestWarning, MaxRetryError, ReadTimeoutError
    from urllib3.response import HTTPResponse
    from urllib3.util.retry import Retry
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR: str | None = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

API_PATH = '/rest/cmsapp/v1/openapi/uap/queryterminalstatus'
CONTENT_TYPE = 'application/json;charset=UTF-8'
USER_AGENT = 'aicc.cms'
INVALID_PARAMETERS_CODE = '0100002'
CLOCK_SAMPLES = 20
RETRY_STATUSES = frozenset([429] + list(range(500, 600)))
BACKOFF_FACTOR = 0.5
BACKOFF_MAX = 10.0
RETRY_AFTER_MAX = 60
SNIPPET_LENGTH = 120
_SAFE_BASE_PATH = re.compile(r'^[A-Za-z0-9._~/-]*$')
_AUTHORIZATION_VALUE = re.compile(r'auth-v2/\S*')
_SIGNATURE = re.compile(r'(?<![0-9A-Fa-f])[0-9a-f]{64}(?![0-9A-Fa-f])')
WATCHDOG_GRACE = 0.25


class Endpoint(t.NamedTuple):
    """Where requests go: ``url`` (full), ``path`` (signed), ``host`` (signed Host header value),
    ``address`` (``host:port`` with the default port filled in, for messages)."""

    url: str
    path: str
    host: str
    address: str


def parse_endpoint(url: object) -> Endpoint:
    """Validate ``url`` (``https://ip:port`` of CC-CMS or the NSLB, optional base path)."""
    if not isinstance(url, str) or not url.strip():
        raise OptionError(f'url must be the address of CC-CMS such as https://10.1.1.1:28443, got {url!r}')
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise OptionError(f'url {url!r} is not a valid URL ({exc}): write it as https://<ip>:<port>') from None
    if parts.scheme not in ('http', 'https'):
        raise OptionError(f'url {url!r} must start with https:// (or http://)')
    if not parts.hostname:
        raise OptionError(f'url {url!r} has no host: write it as https://<ip>:<port>')
    if port == 0:
        raise OptionError(f'url {url!r} has port 0: give the port of CC-CMS (or the NSLB), 1 to 65535')
    if parts.username is not None or parts.password is not None:
        raise OptionError(f'url {url!r} must not carry credentials: use access_key and secret_key')
    if parts.query or parts.fragment or url.strip().endswith(('?', '#')):
        raise OptionError(f'url {url!r} must not have a query or fragment: give only https://<ip>:<port>[/base path]')
    base_path = parts.path.rstrip('/')
    if not _SAFE_BASE_PATH.match(base_path):
        raise OptionError(
            f'url {url!r} has a base path with characters other than letters, digits, "/", "-", ".", "_", "~": remove'
            ' them'
        )
    hostname = f'[{parts.hostname}]' if ':' in parts.hostname else parts.hostname
    host = hostname if port is None else f'{hostname}:{port}'
    default_port = 443 if parts.scheme == 'https' else 80
    path = base_path + API_PATH
    return Endpoint(f'{parts.scheme}://{host}{path}', path, host, f'{hostname}:{port or default_port}')


def _media_type(headers: t.Mapping[str, str]) -> str:
    content_type = headers.get('Content-Type')
    if not content_type:
        return 'without content type'
    return content_type.split(';', 1)[0].strip().lower() or 'without content type'


def _redacted(text: str) -> str:
    """``text`` without any Authorization value or signature a server may echo."""
    return _SIGNATURE.sub('<redacted>', _AUTHORIZATION_VALUE.sub('auth-v2/<redacted>', text))


def _snippet(content: bytes) -> str:
    text = ' '.join(content[: SNIPPET_LENGTH * 4].decode('utf-8', errors='replace').split())
    return _redacted(text)[:SNIPPET_LENGTH]


def _connection_reason(exc: Exception) -> str:
    text = str(exc).lower()
    if 'refused' in text:
        return 'connection refused'
    if any(
        marker in text
        for marker in ('resolve', 'name or service not known', 'nodename nor servname', 'getaddrinfo', 'no address')
    ):
        return 'host name not resolved'
    if any(
        marker in text
        for marker in ('reset', 'aborted', 'remote end closed', 'remotedisconnected', 'broken pipe', 'incomplete')
    ):
        return 'connection closed by the server'
    if 'unreachable' in text or 'no route' in text:
        return 'network unreachable'
    return 'connection failed'


def _attempts_text(attempts: int) -> str:
    return f'{attempts} attempt{("" if attempts == 1 else "s")}'


class _Answer(t.NamedTuple):
    """What the retry logic reads of an answer: its status and headers."""

    status_code: int
    headers: t.Mapping[str, str]


def _usable_retry_after(headers: t.Mapping[str, str]) -> dict[str, str]:
    """The headers, without a Retry-After that is neither seconds nor an HTTP date (then the backoff applies)."""
    usable = dict(headers)
    value = next((usable[name] for name in usable if name.lower() == 'retry-after'), None)
    if value is not None:
        try:
            Retry().parse_retry_after(value)
        except Exception:  # pylint: disable=broad-exception-caught
            usable = {name: item for name, item in usable.items() if name.lower() != 'retry-after'}
    return usable


class _Transient(Exception):
    """An attempt failed in a way worth retrying; ``describe(attempts)`` gives the final ApiError."""

    def __init__(self, describe: t.Callable[[int], ApiError], response=None, error: Exception | None = None) -> None:
        super().__init__()
        self.describe = describe
        self.response = response
        self.error = error


class CmsClient:
    """Client of the CC-CMS queryterminalstatus interface; use it as a context manager.

    ``sleep`` and ``utcnow`` (a callable returning an aware datetime) are injectable for tests.
    ``profile`` is what the answers have proven about the server (see pager); with ``trace`` every
    exchange is kept in ``trace`` (never a header value or a key).
    """

    def __init__(
        self,
        url: str,
        access_key: str,
        secret_key: str,
        cc_id: int | None = None,
        validate_certs: bool = True,
        ca_path: str | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        max_concurrency: int | None = None,
        page_size: int | None = None,
        *,
        backoff_factor: float = BACKOFF_FACTOR,
        backoff_max: float = BACKOFF_MAX,
        sleep: t.Callable[[float], None] = time.sleep,
        utcnow: t.Callable[[], datetime.datetime] | None = None,
        trace: bool = False,
        max_requests: int | None = None,
        total_timeout: float | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        budget_root: str | None = None,
    ) -> None:
        if not HAS_REQUESTS:
            raise AiccError(
                'the Python library "requests" is required on this host: install it with pip install requests'
            )
        self.endpoint = parse_endpoint(url)
        if (
            not isinstance(access_key, str)
            or not access_key
            or not access_key.isascii()
            or not access_key.isprintable()
            or any(char.isspace() for char in access_key)
        ):
            raise OptionError('access_key must be a non-empty printable ASCII string without spaces')
        if not isinstance(secret_key, str) or not secret_key:
            raise OptionError('secret_key must be a non-empty string')
        self._access_key = access_key
        self._secret_key = secret_key
        # None (an option left unset by a front end) means the documented default; numeric text is a number.
        self.cc_id = check_number('cc_id', cc_id, text=True)
        self.timeout = check_number('timeout', timeout, text=True)
        total_timeout = check_number('total_timeout', total_timeout, text=True)
        # The whole task's deadline: every attempt, slot wait and the wait loop end by it.
        self.deadline = Deadline(total_timeout)
        self.max_response_bytes = check_number('max_response_bytes', max_response_bytes, Number(1, 2**31))
        self.retries = check_number('retries', retries, text=True)
        self.max_concurrency = check_number('max_concurrency', max_concurrency, text=True)
        self.page_size = check_number('page_size', page_size, text=True)
        self.profile = ServerProfile(self.page_size)
        self.trace: list[dict] | None = [] if trace else None
        self.max_requests = check_number('max_requests', max_requests, Number(1, 10**6))
        self.clock_offsets: list[float] = []  # server Date minus this host's clock, seconds (first answers only)
        if ca_path is not None and not os.path.exists(ca_path):
            raise OptionError(
                f'ca_path {ca_path!r} does not exist: give the PEM file (or c_rehash folder) of the CA that signed the'
                ' CC-CMS certificate'
            )
        if ca_path is not None and not (os.path.isfile(ca_path) or os.path.isdir(ca_path)):
            # a FIFO or a device would block the TLS library reading it
            raise OptionError(
                f'ca_path {ca_path!r} is not a regular file or folder: give the PEM file (or c_rehash folder) of the CA'
            )
        self.warnings: list[str] = []
        if self.endpoint.url.startswith('http://'):
            self.warnings.append(
                f'url {self.endpoint.address} uses plain http: requests and answers travel unencrypted; use https://'
            )
        self._budget = SlotBudget(self.endpoint.address, self.max_concurrency, root=budget_root)
        if not self._budget.shared:
            self.warnings.append(
                f'no private folder for the in-flight budget of {self.endpoint.address}: forks and other runs on this'
                ' host do not share it'
            )
        self.reported_counts: dict[str, int] = {}
        # a backoff never sleeps past the task's deadline
        self._sleep = lambda seconds: sleep(min(seconds, self.deadline.remaining()))
        self._utcnow = utcnow or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self._lock = threading.Lock()
        self._requests_sent = 0
        self._retry = Retry(
            total=self.retries,
            allowed_methods=frozenset(['POST']),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            backoff_jitter=backoff_factor,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self._session = requests.Session()
        self._session.headers['User-Agent'] = USER_AGENT
        adapter = WatchedAdapter(pool_connections=1, pool_maxsize=self.max_concurrency, max_retries=0)
        self._session.mount('https://', adapter)
        self._session.mount('http://', adapter)
        verify: bool | str = ca_path if ca_path is not None else bool(validate_certs)
        # The environment (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE...) is read once here for the one URL used,
        # instead of by requests on every request (a scan of os.environ each time).
        environment = self._session.merge_environment_settings(self.endpoint.url, {}, None, verify, None)
        self._session.trust_env = False
        self._proxies: dict = environment['proxies']
        self._verify: bool | str = environment['verify']
        if self._verify is False and self.endpoint.url.startswith('https://'):
            self.warnings.append(
                f'the TLS certificate of {self.endpoint.address} is not verified (validate_certs=false): set ca_path to'
                ' verify it'
            )
            # Silence urllib3's warning for this host only, not for every HTTPS request of the process.
            unbracketed = (
                self.endpoint.host.rsplit(':', 1)[0]
                if not self.endpoint.host.startswith('[')
                else self.endpoint.host[1 : self.endpoint.host.index(']')]
            )
            warnings.filterwarnings(
                'ignore',
                message=rf"Unverified HTTPS request is being made to host '{re.escape(unbracketed)}'",
                category=InsecureRequestWarning,
            )

    # -- life cycle -------------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP session and its connections."""
        self._session.close()

    def __enter__(self) -> CmsClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def session(self):
        """The requests.Session (tests mount a scripted transport adapter on it)."""
        return self._session

    @property
    def requests_sent(self) -> int:
        """Every HTTP request sent, retries included."""
        with self._lock:
            return self._requests_sent

    # -- one HTTP exchange ------------------------------------------------------------------------------------------

    def _send(self, body: bytes, timeout: float | None = None):
        headers = {
            'Content-Type': CONTENT_TYPE,
            'Authorization': sign(
                self._access_key,
                self._secret_key,
                'POST',
                self.endpoint.path,
                self.endpoint.host,
                body,
                now=self._utcnow(),
            ),
            'Host': self.endpoint.host,
        }
        with self._lock:
            if self.max_requests is not None and self._requests_sent >= self.max_requests:
                raise RequestBudgetError(
                    f'stopped after {self.max_requests} requests (the request budget of this task)'
                )
            self._requests_sent += 1
        # stream: the body is read by read_body, under a cap and the attempt's deadline
        return self._session.post(
            self.endpoint.url,
            data=body,
            headers=headers,
            timeout=self.timeout if timeout is None else timeout,
            verify=self._verify,
            proxies=self._proxies,
            allow_redirects=False,
            stream=True,
        )

    def _note_clock(self, date: str | None) -> None:
        """Keep how far the server's clock is from this host's (a skew beyond 15 minutes fails the signature)."""
        if not date or len(self.clock_offsets) >= CLOCK_SAMPLES:
            return
        try:
            server_time = email.utils.parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError):
            return
        if server_time.tzinfo is None:
            return
        with self._lock:
            self.clock_offsets.append(round((server_time - self._utcnow()).total_seconds(), 3))

    def _unexpected(self, detail: str, attempts: int = 1) -> UnexpectedResponseError:
        suffix = f' (after {attempts} attempts)' if attempts > 1 else ''
        return UnexpectedResponseError(f'unexpected response from {self.endpoint.path}: {detail}{suffix}')

    def _no_response(self, attempts: int) -> NoResponseError:
        return NoResponseError(
            f'no response within {self.timeout:g} s from {self.endpoint.url} after {_attempts_text(attempts)}'
        )

    def _connection_failed(self, reason: str, attempts: int) -> ConnectionFailedError:
        return ConnectionFailedError(
            f'cannot reach {self.endpoint.address} ({reason}) after {_attempts_text(attempts)}: check url and that'
            ' CC-CMS (or the NSLB) is reachable'
        )

    def _too_slow(self, phase: str, attempts: int) -> NoResponseError:
        return NoResponseError(
            f'no complete answer from {self.endpoint.address} within {self.timeout:g} s (timeout, for connection,'
            f' headers and body together) after {_attempts_text(attempts)}: {phase}; CC-CMS (or the NSLB) was reached'
            ' but answers too slowly'
        )

    def _broken_off(self, reason: str, attempts: int) -> ConnectionFailedError:
        return ConnectionFailedError(
            f'the answer from {self.endpoint.address} broke off after its headers ({reason}) after'
            f' {_attempts_text(attempts)}: CC-CMS (or the NSLB) was reached but did not finish the answer'
        )

    def _total_timeout(self, waiting_for: str) -> TotalTimeoutError:
        return TotalTimeoutError(
            f'total_timeout of {self.deadline.seconds:g} s ran out {waiting_for} from {self.endpoint.address}: it'
            ' bounds the whole task (every request, retry and wait); raise total_timeout or query fewer terminals'
        )

    def _attempt(self, body: bytes, exchange: dict) -> Page:
        """Send one signed request and return its page; raise _Transient when a retry may help.

        ``exchange`` receives the HTTP status and resultCode (for ``trace``). The exchange holds one slot of the
        host's in-flight budget of this CC-CMS and ends by the attempt's deadline (timeout, or what is left of
        total_timeout when that is less).
        """
        if self.deadline.expired():
            raise self._total_timeout('before a complete answer')
        try:
            with self._budget.slot(self.deadline.remaining):
                seconds = min(self.timeout, self.deadline.remaining())
                try:
                    status, headers, content = self._exchange(body, seconds)
                except _Transient as failure:
                    if (
                        seconds < self.timeout
                        and self.deadline.expired()
                        and isinstance(failure.error, requests.exceptions.Timeout)
                    ):
                        raise self._total_timeout('before a complete answer') from None
                    raise
        except NoSlot:
            raise TotalTimeoutError(
                f'total_timeout of {self.deadline.seconds:g} s ran out waiting for a free slot of the in-flight budget'
                f' of {self.endpoint.address}: other runs of the collection on this host held every slot; lower their'
                ' forks or max_concurrency, or raise total_timeout'
            ) from None

        exchange['status'] = status
        self._note_clock(headers.get('Date'))
        media_type = _media_type(headers)
        detail = f'HTTP {status} {media_type}: {_snippet(content)}'
        answer = _Answer(status, _usable_retry_after(headers))
        if status == 401:
            raise AuthenticationError(
                f'authentication failed (HTTP 401) at {self.endpoint.path}: check access key, secret key and the clock'
                ' of this host'
            )
        if status in RETRY_STATUSES:
            raise _Transient(lambda attempts: self._unexpected(detail, attempts), response=answer)
        if status != 200:
            raise self._unexpected(detail)
        if 'json' not in media_type:
            # An HTML error page from a proxy or a truncated answer: transient more often than not.
            raise _Transient(lambda attempts: self._unexpected(detail, attempts), response=answer)
        try:
            payload = json.loads(content)
        except (ValueError, RecursionError):
            raise _Transient(
                lambda attempts: self._unexpected(
                    f'HTTP 200 {media_type}, not valid JSON: {_snippet(content)}', attempts
                ),
                response=answer,
            ) from None
        if isinstance(payload, dict) and isinstance(payload.get('resultCode'), str):
            exchange['result_code'] = payload['resultCode']
        try:
            return parse_page(payload)
        except UnexpectedResponseError as exc:
            raise self._unexpected(_redacted(getattr(exc, 'detail', str(exc)))) from None
        except ApiError as exc:
            # a server echoing the request (Authorization header included) in resultDesc
            exc.args = tuple(_redacted(arg) if isinstance(arg, str) else arg for arg in exc.args)
            if isinstance(getattr(exc, 'result_desc', None), str):
                exc.result_desc = _redacted(exc.result_desc)
            raise

    def _exchange(self, body: bytes, seconds: float) -> tuple[int, t.Mapping[str, str], bytes]:
        """Status, headers and decompressed body of one exchange that ends within ``seconds`` whatever the server's pace."""
        endpoint = self.endpoint
        # The watchdog fires a little after the socket time-out, so a silent server still reads as "no response".
        with watchdog(seconds + WATCHDOG_GRACE) as exchange:
            try:
                response = self._send(body, seconds)
            except requests.exceptions.Timeout as exc:
                raise _Transient(self._no_response, error=exc) from None
            except requests.exceptions.RequestException as exc:
                if exchange.expired:
                    raise _Transient(
                        lambda attempts: self._too_slow('the headers were still incomplete', attempts),
                        error=requests.exceptions.Timeout(),
                    ) from None
                if isinstance(exc, requests.exceptions.SSLError):
                    text = str(exc).lower()
                    reason = (
                        'certificate verify failed'
                        if 'certificate' in text or 'verify' in text
                        else 'TLS handshake failed'
                    )
                    raise TlsError(f'{reason} for {endpoint.address}: set ca_path, or validate_certs=false') from None
                if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
                    reason = _connection_reason(exc)
                    raise _Transient(lambda attempts: self._connection_failed(reason, attempts), error=exc) from None
                raise ConnectionFailedError(
                    f'request to {endpoint.address} failed ({type(exc).__name__}): check url and that CC-CMS (or the'
                    ' NSLB) is reachable'
                ) from None
            if exchange.expired:  # the watchdog cut the headers short: what arrived is not the answer
                response.close()
                raise _Transient(
                    lambda attempts: self._too_slow('the headers were still incomplete', attempts),
                    error=requests.exceptions.Timeout(),
                )
            try:
                content = read_body(response, Deadline(seconds), self.max_response_bytes)
            except ResponseTooLarge:
                response.close()
                raise ResponseTooLargeError(
                    f'the answer from {endpoint.address} passed {self.max_response_bytes} bytes once decompressed, far'
                    ' more than any page of terminals: check that url is CC-CMS (or the NSLB)'
                ) from None
            except BodyFailed as failure:
                response.close()
                if exchange.expired or isinstance(failure.error, (TimeoutError, ReadTimeoutError)):
                    raise _Transient(
                        lambda attempts: self._too_slow(
                            'the headers had arrived, the body was still incomplete', attempts
                        ),
                        error=requests.exceptions.Timeout(),
                    ) from None
                reason = _connection_reason(failure.error)
                raise _Transient(
                    lambda attempts: self._broken_off(reason, attempts), error=requests.exceptions.ConnectionError()
                ) from None
            if exchange.expired:  # a body without a length, cut short by the watchdog
                raise _Transient(
                    lambda attempts: self._too_slow('the headers had arrived, the body was still incomplete', attempts),
                    error=requests.exceptions.Timeout(),
                )
            release = getattr(response.raw, 'release_conn', None)
            if release is not None:
                release()  # the body is read: the keep-alive connection goes back to the pool
            return response.status_code, response.headers, content

    def _request_page(self, eid: str, offset: int) -> Page:
        """One page of one EID; a server refusing integer limit/offset (0100002) gets strings, and vice versa.

        The type the server accepted is remembered for the run.
        """
        known = self.profile.parameter_type
        try:
            page = self._request_typed(eid, offset, known or 'int')
        except ResultCodeError as exc:
            if known is not None or exc.result_code != INVALID_PARAMETERS_CODE:
                raise
            try:
                page = self._request_typed(eid, offset, 'str')
            except ResultCodeError as second:
                if second.result_code == INVALID_PARAMETERS_CODE:
                    raise exc from None
                raise
            self.profile.parameter_type = 'str'
            return page
        if known is None:
            self.profile.parameter_type = 'int'
        return page

    def _request_typed(self, eid: str, offset: int, parameter_type: str) -> Page:
        """One page, retried with backoff; every attempt is signed afresh."""
        limit: int | str = self.page_size
        position: int | str = offset
        if parameter_type == 'str':
            limit, position = str(limit), str(offset)
        body: dict[str, t.Any] = {'EID': eid, 'limit': limit, 'offset': position}
        if self.cc_id is not None:
            body['ccId'] = self.cc_id
        # Serialised once: exactly these bytes are signed and sent.
        data = json.dumps(body, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
        retry = self._retry
        attempts = 0
        while True:
            attempts += 1
            started = time.monotonic()
            exchange = {'eid': eid, 'limit': limit, 'offset': position}
            try:
                page = self._attempt(data, exchange)
            except _Transient as failure:
                self._record(exchange, started, failure.response)
                raw = None
                if failure.response is not None:
                    raw = HTTPResponse(
                        body=b'',
                        headers=dict(failure.response.headers),
                        status=failure.response.status_code,
                        preload_content=False,
                    )
                try:
                    retry = retry.increment(
                        method='POST',
                        url=self.endpoint.path,
                        response=raw,
                        error=failure.error if raw is None else None,
                    )
                except MaxRetryError:
                    raise failure.describe(attempts) from None
                delay = None
                if raw is not None and raw.status in Retry.RETRY_AFTER_STATUS_CODES:
                    delay = retry.get_retry_after(raw)
                    delay = None if delay is None else min(delay, RETRY_AFTER_MAX)
                if delay is None:
                    delay = retry.get_backoff_time()
                if delay > 0:
                    self._sleep(delay)
            except RequestBudgetError:
                raise  # nothing was sent
            except AiccError:
                self._record(exchange, started)
                raise
            else:
                exchange.update(rows=len(page.rows), count=page.count)
                self._record(exchange, started)
                return page

    def _record(self, exchange: dict, started: float, response=None) -> None:
        """Keep one exchange for ``trace``: what was asked and answered, never a header value."""
        if self.trace is None:
            return
        if response is not None and 'status' not in exchange:
            exchange['status'] = response.status_code
        exchange.setdefault('status', None)
        exchange.setdefault('result_code', None)
        exchange.setdefault('rows', None)
        exchange.setdefault('count', None)
        exchange['duration'] = round(time.monotonic() - started, 4)
        with self._lock:
            self.trace.append(exchange)

    # -- paging -----------------------------------------------------------------------------------------------------

    def fetch(self, eid: str, wanted: t.AbstractSet[str] | None = None) -> list[Row]:
        """Every row of one EID: the pager (see pager) says which offset to ask next, and when it is done.

        ``wanted``: the exact IDs kept from the answer (None: all). Raises PagingContradiction when no
        reading of the vendor page explains the answers.
        """
        if not isinstance(eid, str) or not eid:
            raise OptionError(f'an EID must be a non-empty string, got {eid!r}')
        pager = Pager(eid, self.page_size, self.profile, wanted)
        offset: int | None = 0
        while offset is not None:
            try:
                page = self._request_page(eid, offset)
            except RequestBudgetError as exc:
                # what the pages read so far prove, and their rows (aicc_cms_info reports them)
                exc.standing, exc.rows = pager.standing(), pager.rows()
                raise
            if page.count is not None:
                with self._lock:
                    self.reported_counts[eid] = max(page.count, self.reported_counts.get(eid, 0))
            offset = pager.feed(offset, page)
        if not pager.learn():
            raise self._unexpected(
                f'the answers for EID {eid!r} contradict how CC-CMS paged earlier in this run; run the query '
                'again, and send the trace if it persists'
            )
        return pager.rows()

    def fetch_each(
        self, eids: t.Sequence[str], wanted: t.Mapping[str, t.AbstractSet[str] | None] | None = None
    ) -> t.Iterator[tuple[int, list[Row] | ApiError]]:
        """``(index in eids, rows or ApiError)`` of each EID as soon as its query ends (completion order).

        At most ``max_concurrency`` requests are in flight: each worker pages one query sequentially.
        The first query runs alone, so that what it proves about the server's paging spares the
        others their confirmation requests. The caller can turn each answer into records while the
        other queries are still running, so the rows of every query never have to be held at once.
        ``wanted``: EID -> the exact IDs kept from its answer (see ``fetch``).
        """
        eids = list(eids)
        if not eids:
            return
        wanted = wanted or {}

        def run(eid: str) -> list[Row] | ApiError:
            try:
                return self.fetch(eid, wanted.get(eid))
            except ApiError as exc:
                return exc

        yield 0, run(eids[0])
        if len(eids) == 1:
            return
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(eids) - 1)) as pool:
            index_of = {pool.submit(run, eid): index for index, eid in enumerate(eids) if index}
            try:
                for future in concurrent.futures.as_completed(list(index_of)):
                    index = index_of.pop(future)
                    result = future.result()
                    del future  # its rows are freed once the caller has used them
                    yield index, result
            finally:
                for pending in index_of:
                    pending.cancel()
