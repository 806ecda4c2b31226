/* Filters the timeline in the browser: by year, kind, status, company and chip, from the JSON the
   build writes into the page (#timeline-data). Without scripts the page is the full list. The
   choice is kept in the address (?chip=nvidia-h20), so a filtered timeline can be linked to. */
(function () {
  "use strict";
  var form = document.getElementById("timeline-filters");
  var source = document.getElementById("timeline-data");
  if (!form || !source) return;
  var data = JSON.parse(source.textContent);
  var byId = {};
  data.events.forEach(function (e) { byId[e.id] = e; });
  var names = { year: "Year", kind: "Kind", status: "Status", company: "Company", chip: "Chip" };
  var params = new URLSearchParams(window.location.search);
  var selects = {};
  Object.keys(names).forEach(function (facet) {
    var label = document.createElement("label");
    label.appendChild(document.createTextNode(names[facet] + " "));
    var select = document.createElement("select");
    select.name = facet;
    select.id = "filter-" + facet;
    select.add(new Option("any", ""));
    data.facets[facet].forEach(function (pair) { select.add(new Option(pair[1], pair[0])); });
    if (params.get(facet)) select.value = params.get(facet);
    select.addEventListener("change", apply);
    label.appendChild(select);
    form.appendChild(label);
    selects[facet] = select;
  });
  var reset = document.createElement("button");
  reset.type = "button";
  reset.textContent = "Show all";
  reset.addEventListener("click", function () {
    Object.keys(selects).forEach(function (facet) { selects[facet].value = ""; });
    apply();
  });
  form.appendChild(reset);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;

  function matches(e) {
    return Object.keys(selects).every(function (facet) {
      var wanted = selects[facet].value;
      if (!wanted) return true;
      var value = e[facet];
      return Array.isArray(value) ? value.indexOf(wanted) >= 0 : value === wanted;
    });
  }

  function apply() {
    var shown = 0;
    var nodes = document.querySelectorAll(".event[id]");
    nodes.forEach(function (node) {
      var e = byId[node.id];
      var visible = !e || matches(e);
      node.hidden = !visible;
      if (visible) shown += 1;
    });
    // A year heading stays only while one of its events shows.
    document.querySelectorAll(".md-content h2").forEach(function (heading) {
      var next = heading.nextElementSibling, any = false;
      while (next && next.tagName !== "H2") {
        if (next.classList.contains("event") && !next.hidden) any = true;
        next = next.nextElementSibling;
      }
      heading.hidden = !any;
      // and so does its entry in the table of contents
      document.querySelectorAll('.md-nav--secondary a[href="#' + heading.id + '"]').forEach(function (link) {
        link.parentElement.hidden = !any;
      });
    });
    document.getElementById("timeline-count").textContent =
      shown === nodes.length ? "Showing all " + nodes.length + " events." : "Showing " + shown + " of " + nodes.length + " events.";
    var query = new URLSearchParams();
    Object.keys(selects).forEach(function (facet) { if (selects[facet].value) query.set(facet, selects[facet].value); });
    var search = query.toString();
    window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
  }
  apply();
})();
