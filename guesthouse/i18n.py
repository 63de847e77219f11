"""The interface language: the one chosen on the site, else the browser's, else French."""

import re
from datetime import date
from urllib.parse import urlsplit

from babel.dates import get_date_format
from flask import Response, after_this_request, current_app, has_request_context, request
from flask_babel import format_date, get_locale
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import MapAdapter, RequestRedirect

# The app speaks and stores language codes ("fr", "en"); Babel formats dates and numbers with a locale.
# English is formatted as in the UK (12 March 2027, 14:05): Babel's plain "en" is American (3/12/27,
# 2:05 PM), which reads as the wrong day to the house's French and Malian readers.
FORMAT_LOCALES = {"en": "en_GB"}

# A cookie of its own rather than the session: the session is cleared at staff login and logout, and
# ends with the browser, while a language choice should outlive both.
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def babel_locale(language: str) -> str:
    """The Babel locale for a language code, e.g. for `force_locale(babel_locale(stay.locale))`."""
    return FORMAT_LOCALES.get(language, language)


def language() -> str:
    """The current language code, as stored with a request and written in `lang` attributes."""
    locale = get_locale()
    return locale.language if locale is not None else current_app.config["BABEL_DEFAULT_LOCALE"]


# The day of the month in a Babel pattern: a lone `d` outside quoted text ('dd' is 01, and stays).
_DAY_FIELD = re.compile(r"(?<![d'])d(?![d'])")


def format_day(value: date, format: str = "medium") -> str:
    """A date in the current language, as pages, mails and feeds write it.

    French writes the first of a month as an ordinal, "1er janvier 2027", where Babel gives "1 janvier".
    `format` is a Babel width (short, medium, long, full) or pattern.
    """
    locale = get_locale()
    if value.day != 1 or locale is None or locale.language != "fr":
        return format_date(value, format)
    pattern = (
        get_date_format(format, locale).pattern if format in ("short", "medium", "long", "full") else format
    )
    # Quoted runs ('de') are literal text: only the fields between them change.
    parts = pattern.split("'")
    parts[::2] = [_DAY_FIELD.sub("d'er'", part) for part in parts[::2]]
    return format_date(value, "'".join(parts))


def counted(number: int, singular: str, plural: str) -> str:
    """A count in the commands' output, which is English and not translated: "1 bed", "2 beds"."""
    return f"{number} {singular if number == 1 else plural}"


def select_locale() -> str:
    """Flask-Babel's locale selector (mails choose theirs with force_locale)."""
    languages = list(current_app.config["LANGUAGES"])
    if not has_request_context():
        return languages[0]
    after_this_request(_vary_on_language)
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen not in languages:
        chosen = request.accept_languages.best_match(languages) or languages[0]
    return babel_locale(chosen)


def _vary_on_language(response: Response) -> Response:
    """A page in the visitor's language must not be served to another by a shared cache."""
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def remember_language(response: Response, code: str) -> Response:
    response.set_cookie(
        LANG_COOKIE,
        code,
        max_age=LANG_COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def page_to_reload(target: str) -> str:
    """The page to show again after a switch: `target`, or the nearest page above it.

    The switch on a page answered to a form (an action such as /requests/<token>/cancel) points back at
    a POST-only URL, which a GET would answer with 405; the page above it (the request) is the one the
    visitor came from.
    """
    adapter = current_app.url_map.bind_to_environ(request.environ)
    path = urlsplit(target).path
    try:
        adapter.match(path, method="GET")
    except MethodNotAllowed:
        pass
    except HTTPException:  # a redirect or a 404 answers a GET: show it again, in the new language
        return target
    else:
        return target
    while path := path.rstrip("/").rpartition("/")[0]:
        if page := _page_at(adapter, path):
            return page
    return "/"


def _page_at(adapter: MapAdapter, path: str) -> str | None:
    """`path` if a GET of it shows a page, its canonical form if it redirects there, else None."""
    try:
        adapter.match(path, method="GET")
    except RequestRedirect as redirect:
        return urlsplit(redirect.new_url).path
    except HTTPException:
        return None
    return path
