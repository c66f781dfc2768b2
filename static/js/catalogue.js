/* Catalogue filters without a full page load. Progressive enhancement: without JavaScript
 * the same form and links work as they are; with it, a changed filter fetches the same URL
 * and swaps in the results, the address bar keeps a shareable URL and Back works. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var region = document.querySelector("[data-catalogue]");
  var status = document.getElementById("results-status");
  var float = document.querySelector("[data-results-float]");
  var showResults = float && float.querySelector("button");
  if (!form || !region || !window.fetch || !window.history || !window.DOMParser) return;
  document.documentElement.classList.add("js");
  var pending = null;

  /* On a phone the count sits below the open filter panel, far out of sight: after a change,
   * a bar at the bottom of the screen shows it (the live region itself, so screen readers
   * hear the same words) until the heading scrolls into view or the visitor asks for it. */
  function countHeading() { return region.querySelector(".results__count"); }

  function inView(element) {
    var box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  function setFloating(floating) {
    if (!float) return;
    float.classList.toggle("is-floating", floating);
    document.body.classList.toggle("has-results-float", floating);
    if (showResults) showResults.hidden = !floating;
  }

  function countChanged() {
    var heading = countHeading();
    setFloating(Boolean(heading) && !inView(heading));
  }

  if (showResults) {
    showResults.addEventListener("click", function () {
      var heading = countHeading();
      setFloating(false);
      if (!heading) return;
      heading.setAttribute("tabindex", "-1");
      heading.scrollIntoView({ block: "start" });
      heading.focus({ preventScroll: true });
    });
  }
  var scrollQueued = false;
  window.addEventListener("scroll", function () {
    if (scrollQueued || !float || !float.classList.contains("is-floating")) return;
    scrollQueued = true;
    window.requestAnimationFrame(function () {
      scrollQueued = false;
      var heading = countHeading();
      if (heading && inView(heading)) setFloating(false);
    });
  }, { passive: true });

  function urlFor(extra) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (String(value).trim() !== "") params.append(key, value);
    });
    var order = document.getElementById("order");
    if (order) params.set("order", order.value);
    params.delete("page");
    if (extra) Object.keys(extra).forEach(function (key) { params.set(key, extra[key]); });
    var query = params.toString();
    return form.getAttribute("action") + (query ? "?" + query : "");
  }

  function load(url, push) {
    var focusedId = document.activeElement && document.activeElement.id;
    if (pending) pending.abort();
    pending = new AbortController();
    region.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "X-Requested-With": "fetch" }, signal: pending.signal })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-catalogue]");
        if (!fresh) { window.location.assign(url); return; }
        // Keep open what the visitor opened (the filter panel on a phone, "show more").
        var open = {};
        Array.prototype.forEach.call(region.querySelectorAll("details[data-key]"), function (d) {
          open[d.getAttribute("data-key")] = d.open;
        });
        region.innerHTML = fresh.innerHTML;
        Array.prototype.forEach.call(region.querySelectorAll("details[data-key]"), function (d) {
          if (open[d.getAttribute("data-key")]) d.open = true;
        });
        document.title = page.title;
        var query = page.getElementById("q");
        if (query) document.getElementById("q").value = query.value;
        if (push) history.pushState({ catalogue: true }, "", url);
        var count = region.querySelector(".results__count");
        if (status && count) status.textContent = count.textContent;
        var again = focusedId && document.getElementById(focusedId);
        if (again) again.focus();
        countChanged();
      })
      .catch(function (error) {
        if (error.name !== "AbortError") window.location.assign(url);
      })
      .finally(function () { region.removeAttribute("aria-busy"); });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if ((target.form === form && target.type === "checkbox") || target.id === "order") {
      load(urlFor(), true);
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    load(urlFor(), true);
  });
  region.addEventListener("click", function (event) {
    var link = event.target.closest("a");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    var url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname !== window.location.pathname) return;
    event.preventDefault();
    load(url.pathname + url.search, true);
  });
  window.addEventListener("popstate", function () {
    load(window.location.pathname + window.location.search, false);
  });
})();
