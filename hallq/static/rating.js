// The 好差评 widget: five levels, reasons for the two bad ones, one submit. Used by the phone and the tablet.
"use strict";
const hallqRating = (() => {
  // level, Chinese, English, the mouth's curve (drawn as SVG: no emoji font on a hall's Linux PC)
  const LEVELS = [
    [5, "非常满意", "Very satisfied", 7], [4, "满意", "Satisfied", 4], [3, "基本满意", "Fairly satisfied", 0],
    [2, "不满意", "Dissatisfied", -4], [1, "非常不满意", "Very dissatisfied", -7],
  ];
  const english = hallq.lang === "en";
  const LABELS = Object.fromEntries(LEVELS.map(([level, zh, en]) => [level, english ? en : zh]));
  const say = (zh, en) => (english ? en : zh);

  function face(curve) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 40 40");
    svg.setAttribute("class", "rate-face");
    svg.setAttribute("aria-hidden", "true");
    svg.innerHTML = '<circle cx="20" cy="20" r="18" fill="#ffd54a" stroke="#b8860b" stroke-width="1.5"/>'
      + '<circle cx="13.5" cy="15" r="2.4" fill="#3b2a00"/><circle cx="26.5" cy="15" r="2.4" fill="#3b2a00"/>'
      + `<path d="M11 ${26 - curve / 2} Q20 ${26 + curve} 29 ${26 - curve / 2}" fill="none" stroke="#3b2a00"`
      + ' stroke-width="2.6" stroke-linecap="round"/>';
    return svg;
  }

  // Renders into `node`; calls `send(level, reasons)` (a promise) once the citizen has chosen.
  function mount(node, reasons, send) {
    const { el } = hallq;
    const picked = new Set();
    // "其他" (other) opens a line of the citizen's own words, sent as "其他：…"
    const isOther = (reason) => /^(其他|其它|other)$/i.test(reason.trim());
    const otherText = el("input", {
      type: "text", class: "rate-other hidden", maxlength: 90, "aria-label": say("其他原因", "Other reason"),
      placeholder: say("请简单说明（可不填）", "In a few words (optional)"),
    });
    const reasonBox = el("div", { class: "rate-reasons hidden" },
      el("p", {}, say("请告诉我们原因（可多选）", "Tell us why (optional)")),
      ...reasons.map((reason) => el("button", {
        type: "button", class: "rate-reason", "aria-pressed": "false",
        onclick: (event) => {
          const on = !picked.has(reason);
          on ? picked.add(reason) : picked.delete(reason);
          event.currentTarget.setAttribute("aria-pressed", String(on));
          if (isOther(reason)) { otherText.classList.toggle("hidden", !on); if (on) otherText.focus(); }
        },
      }, reason)),
      otherText,
      el("button", { type: "button", class: "rate-send", onclick: () => submit(chosen) }, say("提交评价", "Send")));
    const chosenReasons = () => [...picked].map((reason) => {
      const words = otherText.value.trim();
      return isOther(reason) && words ? `${reason}：${words}` : reason;
    });
    const error = el("p", { class: "rate-error hidden", role: "alert" });
    let chosen = null, busy = false;
    async function submit(level) {
      if (busy) return;
      busy = true;
      try {
        await send(level, level <= 2 ? chosenReasons() : null);
      } catch (exc) {
        error.textContent = exc.message;
        error.classList.remove("hidden");
      } finally {
        busy = false;
      }
    }
    const buttons = LEVELS.map(([level, zh, en, curve]) => el("button", {
      type: "button", class: `rate-level level-${level}`, "data-level": level,
      onclick: () => {
        chosen = level;
        for (const b of buttons) b.setAttribute("aria-pressed", String(b === buttons[5 - level]));
        if (level <= 2) reasonBox.classList.remove("hidden");
        else submit(level);
      },
    }, face(curve), say(zh, en)));
    node.replaceChildren(el("div", { class: "rate-levels" }, ...buttons), reasonBox, error);
  }

  return { mount, LABELS };
})();
