"""One adapter per kind of SMS service, chosen by `[messages] adapter`: each sends one message and answers
None when the service accepted it, else what went wrong, in words for the managers' page.

The vendors' SDKs (alibabacloud-dysmsapi20170525, tencentcloud-sdk-python-sms) sign and shape the request;
both need approved templates, so a message is a template id and its parameters, never free text. Their
access keys come from environment variables named in the hall file, never the file itself."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from hallq.config.booking import Messages
from hallq.net.posting import post

#: (message id, phone, template, params) -> None when accepted, else the error in words
Send = Callable[[str, str, str, dict[str, Any]], str | None]


def _secret(name: str) -> str | None:
    return os.environ.get(name) or None


def _endpoint(endpoint: str, default_host: str) -> tuple[str, str]:
    """("http" | "https", host[:port]) of `endpoint` ("" for the vendor's public one, "https://host",
    "http://127.0.0.1:8080" for an emulator, or a bare host)."""
    if not endpoint:
        return "https", default_host
    if "://" not in endpoint:
        return "https", endpoint
    parts = urlsplit(endpoint)
    return parts.scheme, parts.netloc


def http_adapter(rule: Messages) -> Send:
    """The hall's own gateway: POST JSON {"id", "phone", "template", "params"}; any 2xx is sent."""

    def send(message_id: str, phone: str, template: str, params: dict[str, Any]) -> str | None:
        body = {"id": message_id, "phone": phone, "template": template, "params": params}
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        token = _secret(rule.token_env) if rule.token_env else None
        return post(rule.url, data, "application/json; charset=utf-8", rule.timeout_s, token, "短信网关")

    return send


def aliyun_adapter(rule: Messages) -> Send:
    """Alibaba Cloud SMS (Dysmsapi 2017-05-25, SendSms): TemplateParam is the parameters as JSON; the
    message id goes as OutId. Accepted when the answer's Code is "OK"."""
    from alibabacloud_dysmsapi20170525 import models
    from alibabacloud_dysmsapi20170525.client import Client
    from alibabacloud_tea_openapi import models as api_models
    from alibabacloud_tea_util import models as util_models

    scheme, host = _endpoint(rule.endpoint, "dysmsapi.aliyuncs.com")
    timeout_ms = int(rule.timeout_s * 1000)

    def send(message_id: str, phone: str, template: str, params: dict[str, Any]) -> str | None:
        key_id, key_secret = _secret(rule.key_id_env), _secret(rule.key_secret_env)
        if not key_id or not key_secret:
            return f"未设置访问密钥 / the access key is not set ({rule.key_id_env}, {rule.key_secret_env})"
        config = api_models.Config(
            access_key_id=key_id,
            access_key_secret=key_secret,
            endpoint=host,
            protocol=scheme,
            read_timeout=timeout_ms,
            connect_timeout=timeout_ms,
        )
        request = models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=rule.sign_name,
            template_code=template,
            template_param=json.dumps(params, ensure_ascii=False),
            out_id=message_id,
        )
        runtime = util_models.RuntimeOptions(
            read_timeout=timeout_ms, connect_timeout=timeout_ms, autoretry=False
        )
        try:
            answer = Client(config).send_sms_with_options(request, runtime)
        except Exception as exc:  # the SDK raises its own and the network's errors alike
            return f"阿里云短信 / Alibaba Cloud SMS: {str(exc)[:200]}"
        code = answer.body.code if answer.body else None
        if code == "OK":
            return None
        return f"阿里云短信 / Alibaba Cloud SMS: {code}: {answer.body.message if answer.body else ''}"

    return send


def tencent_adapter(rule: Messages) -> Send:
    """Tencent Cloud SMS (API 2021-01-11, SendSms): TemplateParamSet is the parameters' values in the order
    docs/booking.md lists; the message id goes as SessionContext. Accepted when the number's Code is "Ok"."""
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.sms.v20210111 import models, sms_client

    scheme, host = _endpoint(rule.endpoint, "sms.tencentcloudapi.com")

    def send(message_id: str, phone: str, template: str, params: dict[str, Any]) -> str | None:
        key_id, key_secret = _secret(rule.key_id_env), _secret(rule.key_secret_env)
        if not key_id or not key_secret:
            return f"未设置访问密钥 / the access key is not set ({rule.key_id_env}, {rule.key_secret_env})"
        profile = ClientProfile(
            httpProfile=HttpProfile(protocol=scheme, endpoint=host, reqTimeout=max(1, round(rule.timeout_s)))
        )
        client = sms_client.SmsClient(credential.Credential(key_id, key_secret), rule.region, profile)
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId = rule.sdk_app_id
        request.SignName = rule.sign_name
        request.TemplateId = template
        request.TemplateParamSet = [str(value) for value in params.values()]
        request.SessionContext = message_id
        try:
            answer = client.SendSms(request)
        except Exception as exc:  # TencentCloudSDKException, and the network's errors
            return f"腾讯云短信 / Tencent Cloud SMS: {str(exc)[:200]}"
        status = answer.SendStatusSet[0] if answer.SendStatusSet else None
        if status is not None and status.Code == "Ok":
            return None
        what = f"{status.Code}: {status.Message}" if status is not None else "no status"
        return f"腾讯云短信 / Tencent Cloud SMS: {what}"

    return send


ADAPTERS: dict[str, Callable[[Messages], Send]] = {
    "http": http_adapter,
    "aliyun": aliyun_adapter,
    "tencent": tencent_adapter,
}


def adapter_for(rule: Messages) -> Send | None:
    make = ADAPTERS.get(rule.adapter)
    if make is None:
        return None
    try:
        return make(rule)
    except ImportError as exc:  # the vendor's SDK is not installed: every attempt says so to managers
        missing = f"未安装短信SDK / the SMS SDK is not installed (pip install 'hallq[sms]'): {exc.name}"
        return lambda *_: missing
