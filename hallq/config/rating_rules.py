"""好差评 as the national rules ask (docs/manager.md, "From the case system to the province"): the content a
citizen may choose for each level, a versioned list, and where ratings are reported ([province])."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from hallq.config.tomlfile import StrictModel

_Model = StrictModel

#: the top indicator and the second-level indicators of an offline (window) rating: device-sources.md
TOP_INDICATOR = "整体满意度"
OFFLINE_INDICATORS = ["服务效率", "服务水平", "服务态度"]
#: the content that opens a line of the citizen's own words
OTHER = "其他"


class Indicator(_Model):
    """One piece of content a citizen may choose: under which indicator, for which levels (1..5)."""

    indicator: str = Field(min_length=1, max_length=16)
    text: str = Field(min_length=1, max_length=40)
    levels: list[int] = Field(min_length=1, max_length=5)

    @field_validator("levels")
    @classmethod
    def _levels(cls, value: list[int]) -> list[int]:
        if any(level not in (1, 2, 3, 4, 5) for level in value):
            raise ValueError("levels are 1 (非常不满意) .. 5 (非常满意)")
        return value


def _content(indicator: str, levels: list[int], *texts: str) -> list[Indicator]:
    return [Indicator(indicator=indicator, text=text, levels=levels) for text in texts]


#: hallq's default wording under the national offline indicators; a hall replaces it with its province's list
DEFAULT_CONTENT = [
    *_content("服务效率", [5, 4], "办事效率高", "一次办好", "等候时间短"),
    *_content("服务水平", [5, 4], "业务熟练", "一次性告知清楚", "指导耐心细致"),
    *_content("服务态度", [5, 4], "服务态度好", "热情主动"),
    *_content("服务效率", [3], "办事效率一般", "等候时间较长"),
    *_content("服务水平", [3], "告知基本清楚"),
    *_content("服务态度", [3], "服务态度一般"),
    *_content("服务效率", [2, 1], "等候时间长", "办事效率低", "多次跑腿"),
    *_content("服务水平", [2, 1], "一次性告知不清", "业务不熟练"),
    *_content("服务态度", [2, 1], "服务态度差"),
    *_content(TOP_INDICATOR, [2, 1], OTHER),
]


class Indicators(_Model):
    """The content offered for each level. A changed list needs a new `version` (checked on every save): a
    hall cannot add or drop content silently, and each rating records the version it was made under."""

    version: str = Field(default="hallq-2026.1", min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")
    top: str = Field(default=TOP_INDICATOR, min_length=1, max_length=16)
    indicators: list[str] = Field(
        default_factory=lambda: list(OFFLINE_INDICATORS), min_length=1, max_length=8
    )
    content: list[Indicator] = Field(default_factory=lambda: list(DEFAULT_CONTENT), max_length=60)

    @model_validator(mode="after")
    def _known_indicators(self) -> Indicators:
        known = {self.top, *self.indicators}
        for item in self.content:
            if item.indicator not in known:
                raise ValueError(
                    f"content {item.text!r}: indicator {item.indicator!r} is not one of {sorted(known)}"
                )
        for level in (1, 2):
            if not self.for_level(level):
                raise ValueError(f"level {level} needs content to choose: a bad rating must give a reason")
        return self

    def for_level(self, level: int) -> list[Indicator]:
        return [item for item in self.content if level in item.levels]

    def by_level(self) -> dict[int, list[dict[str, str]]]:
        """What the rating widget shows: the content of each level, in the list's order."""
        return {
            level: [{"indicator": i.indicator, "text": i.text} for i in self.for_level(level)]
            for level in (5, 4, 3, 2, 1)
        }


ADAPTERS = ("none", "json-http", "anhui")


class Province(_Model):
    """Where every rating is reported (the province's unified 好差评 system), through an outbox that survives
    restarts and outages. `adapter = "none"` keeps ratings in the hall."""

    adapter: Literal["none", "json-http", "anhui"] = "none"
    #: the province's receiving URL (http or https), e.g. "https://hcp.example.gov.cn/api/evaluation"
    url: str = Field(default="", max_length=300, pattern=r"^(https?://[^\s]+)?$")
    #: the name of an environment variable holding a bearer token for the URL (never the token itself: hall
    #: files and their versions are read by every admin)
    token_env: str = Field(default="", max_length=64, pattern=r"^[A-Z0-9_]*$")
    #: the hall's code at the province (大厅编码) and its 行政区划代码 (6 or 12 digits)
    hall_code: str = Field(default="", max_length=64)
    region_code: str = Field(default="", max_length=12, pattern=r"^(\d{6}|\d{12})?$")
    region_name: str = Field(default="", max_length=64)
    #: the applicant's name and ID go with a rating only where the province requires them
    send_applicant: bool = False
    #: anhui: the form field carrying the twice-Base64-encoded parameters (the public material appends them to
    #: the province's rating page address; a field for a POST is this deployment's choice)
    form_field: str = Field(default="params", min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$")
    #: anhui: values each deployment sets (the material's: source = "501", version = "2" where ratings go on
    #: to the national platform, ssqdBaseCode = "1"); sent as given
    fields: dict[str, str] = Field(default_factory=dict, max_length=16)
    #: anhui: evaluateChannel per hallq channel; the material names PJQ (a window's rating pad) only
    channel_codes: dict[str, str] = Field(
        default_factory=lambda: {"pad": "PJQ", "tablet": "PJQ"}, max_length=8
    )
    #: one attempt gives up after this long (connect and answer)
    timeout_s: float = Field(default=10.0, gt=0, le=120)
    #: retries back off from `retry_first_s`, doubling, up to `retry_max_s`
    retry_first_s: float = Field(default=5.0, gt=0, le=3600)
    retry_max_s: float = Field(default=600.0, gt=0, le=86400)
    #: managers are alerted when the oldest undelivered rating is older than this
    alert_after_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)

    @model_validator(mode="after")
    def _url_for_adapter(self) -> Province:
        if self.adapter != "none" and not self.url:
            raise ValueError(f'adapter "{self.adapter}" needs url (the province\'s receiving address)')
        if self.retry_max_s < self.retry_first_s:
            raise ValueError("retry_max_s must be at least retry_first_s")
        return self

    @property
    def enabled(self) -> bool:
        return self.adapter != "none"
