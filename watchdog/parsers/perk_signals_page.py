"""Which partner page a perk signal comes from, and whether the body is a page at all.

A threshold belongs to the page that states it: two sites may give the same perk different
thresholds, and neither changed when we read the other. So the record key of a perk signal ends
with the page's identity:
- a crawl knows the URL it fetched (`name`); the page's own canonical URL replaces it only when
  it names the same path (the same page on its home host: the offline mirror or an http/https or
  m./www. twin), so a template that points every article at one canonical cannot merge pages;
- a saved file (`watchdog import`) carries no URL we can trust but its own: the canonical link,
  og:url, or the "saved from url" mark a browser writes; a bare site root is not a page;
- failing that, the publisher (og:site_name, the info box's 来源/source, a "来源：" line) and the
  title (its numbers left out), which is what tells two partners' pages apart to a reader too.

Also here: JS-challenge WAF pages (加速乐 `__jsl_clearance`, Aliyun `acw_sc__v2`, Cloudflare
challenges) and bare HTTP error pages, which the shared block markers do not catch because their
visible text is only "412" or nothing at all.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from lxml.etree import _Element

from watchdog.parsers.blocks import BLOCK_STATUSES, challenge_reason
from watchdog.parsers.errors import BlockedError, FormatError

MAX_REF = 120  # the page part of a record key (keys are at most 256 characters)
_REF_AT = re.compile(r"@((?:url|page|file):[^@]*)$")
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)
_SOURCE_LINE = re.compile(r"(?:来源|出处|Source)\s*[:：]\s*([^\s|｜，,。]{2,30})")
_TRACKING = re.compile(r"^(utm_\w+|spm|scm|from|share\w*|isappinstalled|ref)$", re.I)
# Scripts that only a JS challenge page carries (the cookie it sets, the form it posts).
_STATUS_TITLE = re.compile(r"^\s*(\d{3})\b")


def raise_if_challenge(doc: _Element, title: str, visible: str) -> None:
    """`BlockedError` for a WAF challenge or an HTTP refusal page saved or served in place of
    the partner page; `FormatError` for another HTTP error page. Only short pages: a real
    article is long, whatever its scripts hold."""
    if len(visible) > 1000:
        return
    scripts = " ".join(t for t in doc.xpath("//script/text()|//script/@src") if t)
    if reason := challenge_reason(scripts):
        raise BlockedError(f"a WAF challenge page ({reason}) instead of the partner page")
    status = _STATUS_TITLE.match(title)
    if status and len(visible) < 200:  # "412", "403 Forbidden" and next to nothing else
        code = status.group(1)
        if int(code) in BLOCK_STATUSES:
            raise BlockedError(f"{BLOCK_STATUSES[int(code)]} instead of the partner page")
        if code[0] in "45":
            raise FormatError(f"an HTTP {code} error page, not a partner page")


def page_ref(doc: _Element, text: str, *, name: str | None, title: str,
             publisher: str | None) -> tuple[str, str]:
    """(reference for the record key, the page as shown to a reader)."""
    fetched = name if name and re.match(r"https?://", name, re.I) and _url(name) else None
    stated = _stated_url(doc, text)
    if fetched:
        # The fetched URL names the page; its canonical only when that is the same path.
        same = stated and _path(_url(stated) or "") == _path(_url(fetched) or "")
        url = stated if same and stated else fetched
        return _bounded("url:" + (_url(url) or "")), _shown(url)
    if stated:
        return _bounded("url:" + (_url(stated) or "")), _shown(stated)
    if publisher or title:
        shown = " / ".join(x for x in (publisher, title) if x)
        # Numbers out of the title: a page titled "芝麻分700分以上…" that now says 650 is the
        # same page, changed, not another page.
        plain = re.sub(r"\d+", "#", " ".join(unicodedata.normalize("NFKC", title).split()))
        return _bounded(f"page:{publisher or '-'}/{plain or '-'}"), shown
    if name:
        # Nothing on the page says what it is: the file's name is all we have.
        return _bounded("file:" + name), name
    digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:12]
    return f"page:~{digest}", "an untitled page"


def publisher_of(doc: _Element, info_source: str | None, visible: str) -> str | None:
    for value in doc.xpath("//meta[@property='og:site_name' or @name='og:site_name' or "
                           "@name='application-name' or @name='publisher']/@content"):
        if value.strip():
            return " ".join(value.split())[:60]
    if info_source and info_source.strip():
        return " ".join(info_source.split())[:60]
    if m := _SOURCE_LINE.search(visible[:3000]):
        return m.group(1)
    return None


def key_with_page(base: str, ref: str) -> str:
    return f"{base}@{ref}"


def page_of_key(record_key: str) -> str | None:
    """The page part of a perk signal's record key; None for a key from before pages were part
    of it (`perk:subject`, one record per perk and partner across every page)."""
    m = _REF_AT.search(record_key)
    return m.group(1) if m else None


def base_of_key(record_key: str) -> str:
    """The perk-and-partner part of a record key (without the page and any `#n` suffix)."""
    page = page_of_key(record_key)
    base = record_key[: -len(page) - 1] if page else record_key
    return base.split("#", 1)[0]


def _stated_url(doc: _Element, text: str) -> str | None:
    """The page's own address as it states it (canonical, og:url, a browser's saved-from mark)."""
    candidates = [*doc.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href"),
                  *doc.xpath("//meta[@property='og:url' or @name='og:url']/@content")]
    if m := _SAVED_FROM.search(text[:4096]):
        candidates.append(m.group(1))
    for candidate in (c.strip() for c in candidates):
        url = _url(candidate)
        if url and _path(url) not in ("", "/"):
            return candidate
    return None


def _shown(url: str) -> str:
    return url.split("#", 1)[0][:300]


def _url(raw: str) -> str | None:
    """host + path (+ query without tracking parameters), lower-case host, no scheme, no
    default port, no fragment, percent-escapes decoded: one spelling per page."""
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = unquote(parts.path).rstrip("/") or "/"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING.match(k)))
    return f"{host}{path}" + (f"?{query}" if query else "")


def _path(url: str) -> str:
    return url.split("/", 1)[1] if "/" in url else ""


def _bounded(ref: str) -> str:
    ref = ref.replace("@", "%40")  # "@" separates the page from the perk in the record key
    if len(ref) <= MAX_REF:
        return ref
    digest = hashlib.sha256(ref.encode("utf-8")).hexdigest()[:12]
    return f"{ref[: MAX_REF - 13]}~{digest}"
