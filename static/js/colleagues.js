/* The group enrolment form: add and remove rows in the page. Progressive enhancement:
 * without JavaScript the same buttons post the form, which comes back with one row more or
 * less and nothing typed lost. */
(function () {
  "use strict";
  var form = document.querySelector("[data-colleagues]");
  if (!form) return;
  var list = form.querySelector("[data-colleague-list]");
  var template = form.querySelector("template[data-colleague-template]");
  var addButton = form.querySelector("[data-colleague-add]");
  var total = form.querySelector("input[name$='-TOTAL_FORMS']");
  var maximum = parseInt(form.querySelector("input[name$='-MAX_NUM_FORMS']").value, 10);
  var status = form.querySelector("[data-colleague-status]");
  if (!list || !template || !total) return;

  function rows() { return list.querySelectorAll("[data-colleague]"); }

  function say(message) {
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function renumber() {
    Array.prototype.forEach.call(rows(), function (row, index) {
      Array.prototype.forEach.call(row.querySelectorAll("[name], [id], [for], [aria-describedby]"), function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
          var value = el.getAttribute(attribute);
          if (value) el.setAttribute(attribute, value.replace(/form-(\d+|__prefix__)-/g, "form-" + index + "-"));
        });
      });
      Array.prototype.forEach.call(row.querySelectorAll("[data-number]"), function (el) {
        el.textContent = String(index + 1);
      });
      var remove = row.querySelector("[data-colleague-remove]");
      if (remove) remove.value = "remove-" + index;
    });
    total.value = String(rows().length);
    if (addButton) addButton.hidden = rows().length >= maximum;
  }

  if (addButton) {
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      if (rows().length >= maximum) return;
      var fragment = template.content.cloneNode(true);
      list.appendChild(fragment);
      renumber();
      var added = rows()[rows().length - 1];
      var first = added.querySelector("input");
      if (first) first.focus();
      say(form.getAttribute("data-added-text").replace("%s", String(rows().length)));
    });
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-colleague-remove]");
    if (!button) return;
    event.preventDefault();
    var row = button.closest("[data-colleague]");
    var all = Array.prototype.slice.call(rows());
    var index = all.indexOf(row);
    if (all.length === 1) {
      Array.prototype.forEach.call(row.querySelectorAll("input"), function (input) { input.value = ""; });
      row.querySelector("input").focus();
    } else {
      row.parentNode.removeChild(row);
      renumber();
      var next = rows()[Math.min(index, rows().length - 1)];
      next.querySelector("input").focus();
    }
    say(form.getAttribute("data-removed-text"));
  });
})();
