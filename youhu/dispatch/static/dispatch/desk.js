/* The dispatcher's desk: one-key actions and a detail pane that follows the current row. Without this script
   every link and form still works (the pane opens with ?open=, each action posts and comes back). */
(function () {
  "use strict";
  var table = document.getElementById("desk-table");
  if (!table || !window.fetch) { return; }
  var pane = document.getElementById("desk-pane");
  var status = document.getElementById("desk-status");
  var count = document.getElementById("desk-count");
  var selectedNote = document.getElementById("desk-selected");
  var selectAll = document.getElementById("desk-all");

  function rows() { return Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-number]")); }
  var current = table.querySelector("tbody tr.is-current") || rows()[0] || null;

  function say(text, error) {
    status.textContent = text;
    status.classList.toggle("is-error", Boolean(error));
  }

  // ---------------------------------------------------------------- the current row and its pane
  var paneAsked = 0;
  function openPane(row) {
    var mine = ++paneAsked;
    fetch(row.dataset.paneUrl, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.text(); })
      .then(function (html) { if (mine === paneAsked) { pane.innerHTML = html; } })
      .catch(function () { if (mine === paneAsked) { pane.innerHTML = '<p class="empty">该工单已不在派单队列中。</p>'; } });
  }
  function setCurrent(row, open) {
    if (current) { current.classList.remove("is-current"); current.removeAttribute("aria-current"); }
    current = row;
    if (!row) { pane.innerHTML = '<p class="empty">本页工单已处理完。</p>'; return; }
    row.classList.add("is-current");
    row.setAttribute("aria-current", "true");
    row.scrollIntoView({ block: "nearest" });
    if (open) { openPane(row); }
  }
  function move(step) {
    var list = rows(), at = list.indexOf(current);
    var next = list[Math.min(Math.max(at + step, 0), list.length - 1)];
    if (next && next !== current) { setCurrent(next, true); }
  }

  // ---------------------------------------------------------------- selection for batch dispatch
  function boxes() { return Array.prototype.slice.call(table.querySelectorAll("tbody input[name=numbers]")); }
  function updateSelected() {
    var ticked = boxes().filter(function (b) { return b.checked; }).length;
    selectedNote.textContent = ticked ? "已选 " + ticked + " 件" : "勾选工单后批量派单";
    if (selectAll) { selectAll.checked = ticked > 0 && ticked === boxes().length; }
  }
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = selectAll.checked; });
      updateSelected();
    });
  }
  table.addEventListener("change", function (event) { if (event.target.name === "numbers") { updateSelected(); } });

  // ---------------------------------------------------------------- actions in the background
  function removeRow(number) {
    var row = document.getElementById("t-" + number);
    if (!row) { return; }
    var list = rows(), at = list.indexOf(row);
    var next = list[at + 1] || list[at - 1] || null;
    var wasCurrent = row === current;
    row.remove();
    count.textContent = String(Math.max(0, Number(count.textContent) - 1));
    updateSelected();
    if (wasCurrent) { current = null; setCurrent(next, true); }
    if (!rows().length && Number(count.textContent) > 0) { window.location.reload(); }  // the next page's tickets
  }
  function release(form) {
    delete form.dataset.submitted;  // set by youhu.js against double submits
    form.querySelectorAll("[aria-busy]").forEach(function (b) { b.removeAttribute("aria-busy"); });
  }
  function act(form) {
    var holder = form.closest("[data-number]");
    var number = holder ? holder.dataset.number : "";
    if (form.dataset.posting === "1") { return; }
    form.dataset.posting = "1";
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok && body.ok, body: body }; });
      })
      .then(function (result) {
        say(result.body.message || (result.ok ? "已完成" : "操作未成功"), !result.ok);
        if (result.ok) { removeRow(number); } else { delete form.dataset.posting; release(form); }
      })
      .catch(function () { say("网络异常，操作可能未完成，请刷新后查看", true); delete form.dataset.posting; release(form); });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.deskDone !== "remove") { return; }
    event.preventDefault();
    act(form);
  });

  // ---------------------------------------------------------------- pointer and keys
  table.addEventListener("click", function (event) {
    var row = event.target.closest("tr[data-number]");
    if (!row) { return; }
    if (event.target.closest("a[data-desk-open]")) { event.preventDefault(); setCurrent(row, true); return; }
    if (event.target.closest("a, button, input, select, label, form")) { return; }
    setCurrent(row, true);
  });
  function typing(target) {
    return Boolean(target.closest) && target.closest("input, select, textarea, [contenteditable=true]") !== null;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key;
    if (key === "j" || key === "ArrowDown") { move(1); } else if (key === "k" || key === "ArrowUp") { move(-1); } else if (key === "a") {
      var accept = current && current.querySelector("form[data-desk-accept]");
      if (accept) { act(accept); } else if (current) { say("工单 " + current.dataset.number + " 没有可直接采纳的建议，请在右侧选择分类和单位", true); }
    } else if (key === "o" || (key === "Enter" && !event.target.closest("a, button"))) {
      if (current) { openPane(current); }
    } else if (key === "t") {
      if (current) { window.location.href = current.dataset.ticketUrl; }
    } else if (key === "x") {
      var box = current && current.querySelector("input[name=numbers]");
      if (box) { box.checked = !box.checked; updateSelected(); }
    } else {
      return;
    }
    event.preventDefault();
  });
  updateSelected();
})();
