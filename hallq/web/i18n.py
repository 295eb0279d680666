"""Languages of the pages (Flask-Babel): zh-CN first, English second.

Pages speak the hall's language, zh_CN, unless opened with `?lang=en`; the choice is remembered in a cookie
(a clerk's or manager's browser, a display set up once), except at the kiosk, whose switch is for one citizen
and goes back when it resets. A citizen's phone follows its own language setting until told otherwise.
Texts in templates are `_("English")` with a zh_CN catalogue in hallq/translations (`make translations`
extracts, updates and compiles it). Texts a page's script needs are passed to it as JSON (`page_texts`),
translated on the server like any other."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from babel.dates import get_timezone, get_timezone_location
from flask import Flask, Response, request
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l

LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
#: pages a citizen opens on their own device: they follow the browser's language
FOLLOW_BROWSER = {"kiosk.status_page"}
#: pages whose language is never remembered: a kiosk serves a new citizen each time
NOT_REMEMBERED = {"kiosk.page"}
COOKIE = "hallq_lang"

#: texts every page's script may need (hallq.js)
COMMON_TEXTS = {
    "soon": _l("called soon"),
    "about_minutes": _l("about {minutes} min"),
    "about_range": _l("about {low}–{high} min"),
    "no_window_open": _l("No window open yet"),
}


def select_language() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(COOKIE)
    if remembered in LANGUAGES and request.endpoint not in NOT_REMEMBERED:
        return remembered
    if request.endpoint in FOLLOW_BROWSER:
        best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
        if best is not None:
            return "en" if best == "en" else "zh_CN"
    return DEFAULT_LANGUAGE


def current_language() -> str:
    """zh_CN or en (Babel calls the first zh_Hans_CN, as does the catalogue's folder)."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else DEFAULT_LANGUAGE


def page_texts(texts: Mapping[str, Any]) -> dict[str, str]:
    """A page script's texts in the current language (with the common ones), ready for `tojson`."""
    return {key: str(text) for key, text in {**COMMON_TEXTS, **texts}.items()}


def init_i18n(app: Flask) -> None:
    Babel(app, locale_selector=select_language, default_locale=DEFAULT_LANGUAGE)

    @app.context_processor
    def languages() -> dict[str, Any]:
        language = current_language()
        return {
            "language": language,
            "html_lang": "zh-CN" if language == "zh_CN" else language,
            "languages": LANGUAGES,
            "pick": pick,
            "with_language": with_language,
            "timezone_name": timezone_name,
        }

    @app.after_request
    def remember_language(response: Response) -> Response:
        asked = request.args.get("lang")
        # a page's choice only: the API's own `lang` (a call's recording in English) is no choice of language,
        # and remembering it turned a display English at its next reload
        page = request.blueprint != "api"
        if asked in LANGUAGES and page and request.endpoint not in NOT_REMEMBERED:
            path = f"{request.script_root}/" if request.script_root else "/"
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, path=path, samesite="Lax")
        return response


def with_language(code: str) -> str:
    """This page's address in another language, its other parameters kept."""
    arguments = {**request.args.to_dict(), "lang": code}
    return f"{request.script_root}{request.path}?{urlencode(arguments)}"


def timezone_name(zone_id: str) -> str:
    """A time zone as people say it, in the page's language (Babel's CLDR names): 中国（上海）时间 for
    Asia/Shanghai, China (Shanghai) Time in English."""
    return str(get_timezone_location(get_timezone(zone_id), locale=get_locale()))


def pick(chinese: str, english: str) -> str:
    """One of a pair the code keeps in both languages anyway (report columns, rating levels: exports show
    both), for the page's language."""
    return english if current_language() == "en" else chinese
