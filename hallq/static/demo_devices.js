// The demo's simulated devices page (/demo/devices): what each device shows, and its keys.
"use strict";
(() => {
  async function refresh() {
    try {
      const { devices } = await (await fetch("/demo/devices.json")).json();
      for (const d of devices) {
        if (d.kind === "hall_strip") { document.getElementById("strip").textContent = d.text || "综合屏"; continue; }
        const node = document.querySelector(`[data-id="${d.id}"]`);
        if (!node) continue;
        node.title = d.driver;  // hallq, modbus or onbon-bx (docs/devices/)
        if (d.kind === "evaluator") node.classList.toggle("lit", !!d.lit);
        else if (d.pixels) {  // an Onbon controller shows dots, not text: its first page, as lit and dark LEDs
          node.innerHTML = "";
          const dots = document.createElement("pre");
          dots.className = "dots";
          dots.textContent = d.pixels.map((row) => row.replaceAll("#", "█").replaceAll(".", " ")).join("\n");
          node.append(dots);
        } else if (d.lamps && d.kind === "call_pad") {  // a Modbus button module has lamps, no display
          const lamp = (on, name) => `${on ? "●" : "○"} ${name}`;
          node.textContent = [lamp(d.lamps.called, "已叫号"), lamp(d.lamps.serving, "办理中"),
            lamp(d.lamps.paused, "暂停")].join("  ");
        } else node.textContent = d.text || "—";
      }
    } catch (e) { /* the demo server stopped */ }
  }
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-key]");
    if (!button) return;
    const window = button.closest("[data-window]").dataset.window;
    await fetch("/demo/devices/press", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ window, key: button.dataset.key }) });
    refresh();
  });
  refresh();
  setInterval(refresh, 300);
})();
