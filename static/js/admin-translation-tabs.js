/* Language buttons above an admin form with texts per language (django-modeltranslation marks
 * each such input with a class mt-field-<field>-<language>): show the fields of one language,
 * or all of them. A field of a hidden language that has an error keeps the form on "all", so
 * no error is out of sight. Rows added to an inline later follow the chosen language. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.querySelector("#content-main form");
  if (!form) return;
  var PATTERN = /(?:^|\s)mt-field-\S+-([a-z]{2}(?:_[a-z]+)?)(?:\s|$)/;
  var NAMES = { nl: "Nederlands", fr: "Français", en: "English" };
  var ALL = { nl: "Alle talen", fr: "Toutes les langues", en: "All languages" };
  var LABEL = { nl: "Taal", fr: "Langue", en: "Language" };

  function languageOf(input) {
    var match = PATTERN.exec(input.className);
    return match ? match[1] : null;
  }
  function boxOf(input) {
    return input.closest(".fieldBox") || input.closest(".form-row");
  }
  function translated() {
    return Array.prototype.filter.call(form.querySelectorAll(".mt"), languageOf);
  }

  var languages = [];
  translated().forEach(function (input) {
    var language = languageOf(input);
    if (languages.indexOf(language) === -1) languages.push(language);
  });
  if (languages.length < 2) return;

  var chosen = "all";
  function show(language) {
    chosen = language;
    translated().forEach(function (input) {
      var box = boxOf(input);
      if (box) box.classList.toggle("translation-hidden", language !== "all" && languageOf(input) !== language);
    });
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.value === language));
    });
  }

  var pageLanguage = (document.documentElement.lang || "nl").slice(0, 2);
  var bar = document.createElement("div");
  bar.className = "translation-tabs";
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", LABEL[pageLanguage] || LABEL.en);
  var buttons = languages.concat(["all"]).map(function (language) {
    var button = document.createElement("button");
    button.type = "button";
    button.value = language;
    button.lang = language === "all" ? pageLanguage : language;
    button.textContent = language === "all" ? ALL[pageLanguage] || ALL.en : NAMES[language] || language;
    button.addEventListener("click", function () { show(language); });
    bar.appendChild(button);
    return button;
  });
  var first = form.querySelector("fieldset, .inline-group");
  if (first) first.parentNode.insertBefore(bar, first);
  else form.prepend(bar);

  var errorInHiddenLanguage = translated().some(function (input) {
    var box = boxOf(input);
    return languageOf(input) !== languages[0] && box && box.querySelector(".errorlist");
  });
  show(errorInHiddenLanguage ? "all" : languages[0]);
  document.addEventListener("formset:added", function () { show(chosen); });
});
