"""An SMS service played on 127.0.0.1 for the demo and the tests. It answers the way each adapter's service
does: the hall's own gateway (POST JSON {"id", "phone", "template", "params"}), Alibaba Cloud's SendSms (the
x-acs-action header, the parameters in the query) and Tencent Cloud's (JSON with the X-TC-Action header);
and it can fail (a 500, or the vendor's error code) to show the retry."""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from hallq.demo.loopback_http import JsonHandler, serve_in_thread

Mode = Literal["ok", "error"]


class SmsGateway:
    """`received` keeps every message accepted, repeats included, in order: {"id", "phone", "template",
    "params", "via", "at"} (at: time.monotonic())."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.mode: Mode = "ok"
        self.received: list[dict[str, Any]] = []
        self.refused = 0
        self._lock = threading.Lock()
        gateway = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
                body = self.rfile.read(length)
                query = parse_qs(urlsplit(self.path).query)
                # the SDK (tea-openapi 0.4, signature ACS3-HMAC-SHA256) names the action in a header and
                # sends the parameters in the query; older RPC clients put Action=SendSms in the query
                aliyun = self.headers.get("x-acs-action") == "SendSms" or query.get("Action") == ["SendSms"]
                if aliyun:
                    self._aliyun(query, body)
                elif self.headers.get("X-TC-Action") == "SendSms":
                    self._tencent(json.loads(body or b"{}"))
                else:
                    self._own(json.loads(body or b"{}"))

            def _own(self, message: dict[str, Any]) -> None:
                if gateway.mode == "error":
                    gateway.refused += 1
                    self._answer(500, {"ok": False, "message": "gateway down (emulated)"})
                    return
                gateway._keep({**message, "via": "http"})
                self._answer(200, {"ok": True})

            def _aliyun(self, query: dict[str, list[str]], body: bytes) -> None:
                fields = {key: values[0] for key, values in query.items()}
                fields |= {key: values[0] for key, values in parse_qs(body.decode("utf-8")).items()}
                if gateway.mode == "error":
                    gateway.refused += 1
                    self._answer(
                        200,
                        {
                            "Code": "isv.BUSINESS_LIMIT_CONTROL",
                            "Message": "emulated limit",
                            "RequestId": "emulated",
                        },
                    )
                    return
                gateway._keep(
                    {
                        "id": fields.get("OutId"),
                        "phone": fields.get("PhoneNumbers"),
                        "template": fields.get("TemplateCode"),
                        "sign": fields.get("SignName"),
                        "params": json.loads(fields.get("TemplateParam") or "{}"),
                        "via": "aliyun",
                    }
                )
                self._answer(
                    200, {"Code": "OK", "Message": "OK", "BizId": "emulated", "RequestId": "emulated"}
                )

            def _tencent(self, body: dict[str, Any]) -> None:
                phones = body.get("PhoneNumberSet") or [""]
                status: dict[str, Any]
                if gateway.mode == "error":
                    gateway.refused += 1
                    status = {"Code": "LimitExceeded.PhoneNumberDailyLimit", "Message": "emulated limit"}
                else:
                    gateway._keep(
                        {
                            "id": body.get("SessionContext"),
                            "phone": phones[0],
                            "template": body.get("TemplateId"),
                            "sign": body.get("SignName"),
                            "params": body.get("TemplateParamSet"),
                            "via": "tencent",
                        }
                    )
                    status = {"Code": "Ok", "Message": "send success"}
                status |= {
                    "PhoneNumber": phones[0],
                    "SerialNo": "emulated",
                    "Fee": 1,
                    "IsoCode": "CN",
                    "SessionContext": body.get("SessionContext") or "",
                }
                self._answer(200, {"Response": {"SendStatusSet": [status], "RequestId": "emulated"}})

            def do_GET(self) -> None:
                with gateway._lock:
                    last = [{k: v for k, v in m.items() if k != "at"} for m in gateway.received[-100:]]
                self._answer(200, {"mode": gateway.mode, "received": len(gateway.received), "last": last})

        self.server, self.thread = serve_in_thread(host, port, Handler, "sms-gateway")

    def _keep(self, message: dict[str, Any]) -> None:
        with self._lock:
            self.received.append({**message, "at": time.monotonic()})

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.received)

    def start(self) -> SmsGateway:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
