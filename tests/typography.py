"""French typography on every French page the tests are served and in every French mail they receive.

French puts a non-breaking space before a colon and inside guillemets (U+00A0), and a narrow one before
";", "!" and "?" (U+202F); a plain space there lets a line break leave the sign alone at the start of a
line, and no space at all reads as English. A count is written with ngettext, never "demande(s)".
English gets none of these spaces. The checks read what a person reads: the text of a page (tags,
scripts, styles, attributes, form fields holding what a visitor typed, URLs and times taken out) and
the text and HTML parts of a mail.
"""

import re
import unicodedata
from email.message import EmailMessage
from html import unescape

from flask import request
from werkzeug.exceptions import HTTPException

from .served_pages import REPLAY

NBSP, NNBSP = "\u00a0", "\u202f"
SPACES = f" {NBSP}{NNBSP}"

_HIDDEN = re.compile(
    r"<(script|style|textarea|template|pre|code)\b.*?</\1\s*>|<!--.*?-->|<!doctype[^>]*>",
    re.IGNORECASE | re.DOTALL,
)
# A block ends a line of text; an inline element (<strong>Adresse</strong> :) does not.
_BLOCK_TAG = re.compile(
    r"<(?:br|/?(?:p|div|li|ul|ol|dl|dt|dd|tr|td|th|table|thead|tbody|caption|h[1-6]|section|header|footer"
    r"|nav|main|article|aside|form|fieldset|legend|figure|figcaption|label|option|select|button|body|head"
    r"|title|html))\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_HTML_LANG = re.compile(r'<html[^>]*\blang="([a-z]+)', re.IGNORECASE)
# Not text a person reads as prose: links and addresses, times (14:00), CSV or code samples.
_NOT_PROSE = re.compile(r"\b(?:https?|mailto|webcal|tel):\S*|\b\d{1,2}:\d{2}(?::\d{2})?\b|\S+@\S+")

# A sign that wants a space before it, after a plain space, or glued to the word (and then followed by a
# space or the end: "14:00", "?page=2" and "a:b" are not prose).
_PLAIN_SPACE = re.compile(r"(?<= )[:;!?](?=[\s»\")]|$)|« | »", re.MULTILINE)
_GLUED = re.compile(rf"(?<=[^\s{NBSP}{NNBSP}:;!?«(\[])[:;!?](?=\s|$)|«(?=[^\s{NBSP}])|(?<=[^\s{NBSP}])»")
_WRONG_KIND = re.compile(rf"{NBSP}[;!?]|{NNBSP}:|«{NNBSP}|{NNBSP}»")
_ENGLISH_SPACED = re.compile(rf"[{NBSP}{NNBSP}][:;!?]")
_MAYBE_PLURAL = re.compile(r"\w\((?:s|x|es)\)", re.IGNORECASE)


def html_text(html: str) -> str:
    """What a reader sees of an HTML page or mail part, one text node per line."""
    html = _BLOCK_TAG.sub("\n", _HIDDEN.sub("\n", html))
    return unescape(_TAG.sub("", html))


def faults(text: str, language: str, typed: frozenset[str] = frozenset()) -> list[str]:
    """Each place where `text` breaks the typography of `language`, with a few words around it.

    A sign inside a word someone typed (`typed`: a name such as `Back"slash ; semi: colon`) is theirs.
    """
    text = _NOT_PROSE.sub(" ", text)
    found = []
    patterns = (
        (_PLAIN_SPACE, _GLUED, _WRONG_KIND, _MAYBE_PLURAL)
        if language == "fr"
        else (_ENGLISH_SPACED, _MAYBE_PLURAL)
    )
    for pattern in patterns:
        for match in pattern.finditer(text):
            sign = next(i for i in range(match.start(), match.end()) if not text[i].isspace())
            if typed and was_typed(word_at(text, sign), typed):
                continue
            start, end = max(match.start() - 30, 0), match.end() + 20
            found.append(repr(text[start:end].replace("\n", " ")))
    return found


def word_at(text: str, index: int) -> str:
    """The run of characters other than spaces around text[index]."""
    start, end = index, index
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end]


def word_key(word: str) -> str:
    """A word as compared with what was typed: the app may drop invisible characters and normalise,
    and the page may put a comma or a bracket next to it."""
    word = "".join(
        c for c in unicodedata.normalize("NFKC", word) if not unicodedata.category(c).startswith("C")
    )
    return word.strip(",.()'\"")


def was_typed(word: str, typed: frozenset[str]) -> bool:
    """Whether `word` is one typed, or what is left of one cut to a field's length."""
    key = word_key(word)
    return key in typed or (len(key) > 1 and any(t.startswith(key) for t in typed))


def typed_words(*values: str) -> set[str]:
    """The words of what was typed, cut at spaces, and also with invisible characters (some of which
    split() takes for spaces) turned into spaces or dropped, as the app may do."""
    words = set()
    for value in values:
        spaced = "".join(" " if unicodedata.category(c).startswith("C") else c for c in value)
        dropped = "".join(c for c in value if not unicodedata.category(c).startswith("C"))
        words |= {word_key(word) for word in (*value.split(), *spaced.split(), *dropped.split())}
    return words


def page_language(html: str) -> str | None:
    match = _HTML_LANG.search(html)
    return match.group(1) if match else None


def mail_faults(message: EmailMessage, typed: frozenset[str] = frozenset()) -> list[str]:
    """The faults of a mail's text and HTML parts, in the language it declares."""
    language = (message["Content-Language"] or "").strip()
    found = []
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "text/plain":
            found += faults(part.get_content(), language, typed)
        elif content_type == "text/html":
            found += faults(html_text(part.get_content()), language, typed)
    return found


class TypographyWatch:
    """Collects the faults of the pages an app serves during a test and of the mails it received.

    What the test typed is the visitor's, whatever its punctuation: the words of every submitted form
    value, and those a test declares with `typed()` (factories such as `make_stay` do).
    """

    def __init__(self):
        self.found: dict[str, list[str]] = {}
        self.ignored = False
        self.words: set[str] = set()

    def ignore(self) -> None:
        """For tests that draw random text (hypothesis): what they show is that text, not French, and
        the app may reshape it (normalise, cut, drop characters) past what `typed()` can follow."""
        self.ignored = True

    def typed(self, *values) -> None:
        self.words |= typed_words(*(v for v in values if isinstance(v, str)))

    def response(self, response):
        """An after_request hook: read every HTML page as it leaves the app."""
        if request.environ.get(REPLAY):
            return response
        try:
            self.typed(*request.form.values())
        except HTTPException:  # a body the app refused (413, 400): nothing of it is shown
            pass
        if response.mimetype == "text/html" and not response.is_streamed and not response.direct_passthrough:
            html = response.get_data(as_text=True)
            if language := page_language(html):
                where = f"{request.method} {request.full_path.rstrip('?')} ({language})"
                self.add(where, faults(html_text(html), language, frozenset(self.words)))
        return response

    def mails(self, messages: list[EmailMessage]) -> None:
        typed = frozenset(self.words)
        for message in messages:
            self.add(
                f"mail {message['Subject']!r} ({message['Content-Language']})", mail_faults(message, typed)
            )

    def add(self, where: str, found: list[str]) -> None:
        if found:
            self.found.setdefault(where, []).extend(found)

    def report(self) -> str:
        lines = [f"{sum(map(len, self.found.values()))} typography faults (tests/typography.py):"]
        for where, found in self.found.items():
            lines.append(f"  {where}: " + ", ".join(dict.fromkeys(found)))
        return "\n".join(lines)
