"""GET /api/v1/tickets/<id>/call.wav: a ticket's call spoken by the server's speech engine (docs/voice.md)."""

from __future__ import annotations

from flask import Response, current_app, request

from hallq.api.blueprint import bp
from hallq.operations.errors import Conflict, HallqError, Invalid, NotFound
from hallq.operations.wording import call_wording
from hallq.speech import SpeechCache, SpeechError
from hallq.store.models import Ticket
from hallq.web.auth import require_roles
from hallq.web.runtime import hall_context


@bp.get("/tickets/<int:ticket_id>/call.wav")
@require_roles("display", "bridge", "clerk", "manager", "admin")
def call_audio(ticket_id: int) -> Response:
    lang = request.args.get("lang", "zh")
    if lang not in ("zh", "en"):
        raise Invalid("bad_lang", "lang 只能是 zh 或 en / lang is zh or en")
    speech: SpeechCache | None = current_app.extensions.get("hallq_speech")
    if speech is None:
        raise NotFound(
            "no_speech", "本大厅由显示屏浏览器播报 / This hall's displays speak with their own voice"
        )
    ctx = hall_context()
    with ctx.store.read() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound("unknown_ticket", "没有这张票 / No such ticket")
        number, service_id, window_id = ticket.number, ticket.service_id, ticket.window_id
    window = ctx.config.window_by_id.get(window_id or "")
    if window is None:
        raise Conflict("not_called", "这张票还没有叫号 / This ticket has not been called")
    words = call_wording(ctx.config, number, service_id, window)
    text = words.spoken if lang == "zh" else words.spoken_en
    if not text:
        raise NotFound("no_english", "本大厅不用英语播报 / This hall announces in Chinese only")
    # Rendered on the request's own thread, never through the offload pool: the renderer is a program,
    # and under eventlet its pipes are green; waiting on them from a tpool thread hung one render in ~30.
    try:
        audio = speech.wav(text, lang)
    except SpeechError as error:
        raise HallqError("speech_failed", f"语音合成失败 / Speech failed: {error}", 503) from None
    return Response(audio, mimetype="audio/wav", headers={"Cache-Control": "no-store"})
