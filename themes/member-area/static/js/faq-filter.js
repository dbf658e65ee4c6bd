// Progressive enhancement for the FAQ list: a live filter box, and the question named in the URL opened (the
// anchor is on the answer inside its <details>: browsers that reveal a link's target open it themselves).
// Without this script every question is still there, each a <details> that opens on its own.
(function () {
  "use strict";
  var box = document.querySelector("[data-faq-filter]");
  var questions = Array.prototype.slice.call(document.querySelectorAll("[data-faq]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-faq-group]"));

  function openTarget() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var question = target && target.closest("details");
    if (question) question.open = true;
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);

  if (!box || !questions.length) return;
  var input = box.querySelector("input");
  var status = box.querySelector("[role=status]");
  // Umlauts as they are typed without them, both ways: "muehle" finds "Mühle", "Mühle" finds "Muehle".
  var fold = function (text) {
    return text.normalize("NFC").toLocaleLowerCase("de")
      .replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue").replace(/ß/g, "ss");
  };
  var words = function (text) { return fold(text).split(/\s+/).filter(Boolean); };

  function filter() {
    var wanted = words(input.value);
    var shown = 0;
    questions.forEach(function (question) {
      var text = fold(question.textContent);
      var match = wanted.every(function (word) { return text.indexOf(word) !== -1; });
      question.hidden = !match;
      if (match) shown += 1;
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("[data-faq]:not([hidden])");
    });
    status.textContent = !wanted.length ? "" : !shown ? box.dataset.none
      : shown === 1 ? box.dataset.one : box.dataset.many.replace("{n}", shown);
  }

  input.addEventListener("input", filter);
  box.hidden = false;
})();
