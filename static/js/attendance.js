/* Attendance: each tap saves in the background. Without a connection the taps wait in this
 * browser (localStorage) and are sent, in order, as soon as the connection is back. Without
 * JavaScript every tap is a normal form post. */
(function () {
  "use strict";
  var page = document.querySelector("[data-attendance-page]");
  if (!page || !window.fetch || !window.FormData || !window.localStorage) return;
  var statusLine = page.querySelector("[data-attendance-status]");
  var key = "attendance-queue:" + window.location.pathname;
  var sending = false;

  function queue() {
    try { return JSON.parse(window.localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function store(items) { window.localStorage.setItem(key, JSON.stringify(items)); }

  function say(text) { statusLine.textContent = text; }

  function waiting(count) {
    return count === 1
      ? page.getAttribute("data-offline-one")
      : page.getAttribute("data-offline-many").replace("%s", String(count));
  }

  function showCounts(counts) {
    Object.keys(counts).forEach(function (name) {
      var el = page.querySelector("[data-count='" + name + "']");
      if (el) el.textContent = counts[name];
    });
  }

  function send(item) {
    var body = new URLSearchParams();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    return fetch(window.location.pathname, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    });
  }

  function flush() {
    if (sending) return;
    var items = queue();
    if (!items.length) return;
    sending = true;
    send(items[0]).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      var rest = queue().slice(1);
      store(rest);
      sending = false;
      if (result.ok) {
        if (result.data.counts) showCounts(result.data.counts);
        say(rest.length ? waiting(rest.length) : page.getAttribute("data-saved-text"));
      } else {
        say(page.getAttribute("data-error-text") + " " + (result.data.error || ""));
      }
      if (rest.length) flush();
    }).catch(function () {
      sending = false;
      say(waiting(queue().length));
    });
  }

  Array.prototype.forEach.call(page.querySelectorAll("[data-attendance-form]"), function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.name !== "status") return;
      event.preventDefault();
      var fields = [];
      new FormData(form).forEach(function (value, name) { fields.push([name, value]); });
      fields.push(["status", button.value]);
      Array.prototype.forEach.call(form.querySelectorAll("button[name='status']"), function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
      var items = queue();
      items.push({ fields: fields });
      store(items);
      flush();
    });
  });

  Array.prototype.forEach.call(page.querySelectorAll("form[data-confirm]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  window.addEventListener("online", flush);
  window.setInterval(flush, 15000);
  flush();
})();
