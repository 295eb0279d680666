// What-if pickers: a window, a state and hours, or a window and a service, chosen from lists and written as one
// line of the text box beside them (the box stays editable: a line typed by hand works the same).
"use strict";
(() => {
  for (const picker of document.querySelectorAll(".m-pick")) {
    const part = (name) => picker.querySelector(`[data-part="${name}"]`);
    for (const button of picker.querySelectorAll("button[data-into]")) {
      button.addEventListener("click", () => {
        const box = document.querySelector(`textarea[name="${button.dataset.into}"]`);
        const line = part("state")
          ? `${part("window").value}=${part("state").value}@${part("from").value}-${part("to").value}`
          : `${part("window").value}:${part("service").value}`;
        const lines = box.value.split("\n").filter((l) => l.trim());
        if (!lines.includes(line)) lines.push(line);
        box.value = lines.join("\n");
      });
    }
  }
})();
