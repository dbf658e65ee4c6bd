// The results page: asks this site's Pagefind index (data-bundle, the site's own pagefind/ folder) for the word of
// the address (?q=…, from the header field) or of the field here, and lists the results in our own markup. The
// count goes to a live region; focus stays where the reader is. Without this script the page offers the lists.
(function () {
  "use strict";
  var box = document.querySelector("[data-search]");
  if (!box) return;
  var form = box.querySelector("form");
  var input = box.querySelector("input[type=search]");
  var status = box.querySelector("[role=status]");
  var list = box.querySelector("[data-search-results]");
  var moreRow = box.querySelector("[data-search-more-row]");
  var more = box.querySelector("[data-search-more]");
  var PAGE = 10;
  var bundle = new URL(box.dataset.bundle, document.baseURI).href;
  var pagefind = null;
  var current = null; // the results of the latest search, and how many are shown
  var latest = 0;
  var timer = null;

  box.querySelector("[data-search-nojs]").hidden = true;

  // A large site's index comes in several bundles (bundles.json lists those after the first): merged here.
  function load() {
    if (!pagefind) {
      var listing = fetch(bundle + "bundles.json").then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      });
      pagefind = Promise.all([import(bundle + "pagefind.js"), listing]).then(function (loaded) {
        var module = loaded[0];
        var base = new URL("../", bundle).pathname;
        return module.options({ excerptLength: 24 }).then(function () {
          return Promise.all(loaded[1].merge.map(function (folder) {
            return module.mergeIndex(new URL(folder, bundle).pathname, { baseUrl: base });
          }));
        }).then(function () { return module; });
      });
      pagefind.catch(function () { pagefind = null; }); // another try at the next search
    }
    return pagefind;
  }

  function say(template, query, count) {
    status.textContent = template.replace("{q}", query).replace("{n}", String(count));
  }

  // Pagefind's excerpt is text with <mark> around the words found: rebuilt from text nodes, nothing else.
  function excerpt(html) {
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html").body.firstChild;
    var paragraph = document.createElement("p");
    paragraph.className = "search-result__excerpt";
    Array.prototype.forEach.call(parsed.childNodes, function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        paragraph.appendChild(mark);
      } else {
        paragraph.appendChild(document.createTextNode(node.textContent));
      }
    });
    return paragraph;
  }

  function entry(data) {
    var item = document.createElement("li");
    item.className = "search-result";
    var heading = document.createElement("h2");
    heading.className = "search-result__title";
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    item.appendChild(excerpt(data.excerpt || ""));
    return item;
  }

  function showMore() {
    var next = current.results.slice(current.shown, current.shown + PAGE);
    var first = current.shown;
    current.shown += next.length;
    moreRow.hidden = current.shown >= current.results.length;
    return Promise.all(next.map(function (result) { return result.data(); })).then(function (pages) {
      pages.forEach(function (data) { list.appendChild(entry(data)); });
      return first;
    });
  }

  function search(query) {
    var asked = ++latest;
    query = query.trim();
    if (!query) {
      list.hidden = true;
      moreRow.hidden = true;
      list.textContent = "";
      status.textContent = "";
      return Promise.resolve();
    }
    return load().then(function (module) {
      return module.search(query);
    }).then(function (found) {
      if (asked !== latest) return;
      var results = (found && found.results) || [];
      list.textContent = "";
      current = { results: results, shown: 0 };
      list.hidden = !results.length;
      moreRow.hidden = true;
      if (!results.length) {
        say(box.dataset.none, query, 0);
        return;
      }
      return showMore().then(function () {
        if (asked !== latest) return;
        say(results.length === 1 ? box.dataset.one : box.dataset.many, query, results.length);
      });
    }).catch(function () {
      if (asked !== latest) return;
      list.hidden = true;
      moreRow.hidden = true;
      status.textContent = box.dataset.failed;
    });
  }

  function remember(query) {
    var address = new URL(location.href);
    if (query.trim()) address.searchParams.set("q", query.trim());
    else address.searchParams.delete("q");
    history.replaceState(null, "", address.href);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    remember(input.value);
    search(input.value);
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { remember(input.value); search(input.value); }, 300);
  });
  input.addEventListener("focus", load, { once: true });
  more.addEventListener("click", function () {
    showMore().then(function (first) {
      var link = list.children[first] && list.children[first].querySelector("a");
      if (link) link.focus(); // the first of the new results, so the reader goes on where the list grew
    });
  });

  var asked = new URLSearchParams(location.search).get("q") || "";
  var header = document.getElementById("site-search-q");
  if (header) header.value = asked;
  if (asked) {
    input.value = asked;
    search(asked);
  }
})();
