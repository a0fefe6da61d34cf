/* The map of the public mini-guide (Leaflet). The list of services is the guide: this only adds a disclosure
   "Show on the map" above it, when Leaflet loaded and some service of the page has a place. The markers come from
   the JSON of #guide-map-points (name, address, link, coordinates); the map and its tiles load only when the reader
   opens the disclosure, so nobody's browser asks the tile server for anything unless they want the map. */
(function () {
  "use strict";

  function build(details, points) {
    var canvas = details.querySelector("#guide-map");
    var map = L.map(canvas, { scrollWheelZoom: false });
    L.tileLayer(details.dataset.tiles, { maxZoom: 19, attribution: details.dataset.attribution }).addTo(map);
    var bounds = [];
    points.forEach(function (point) {
      // Built node by node: the texts are the entries' own, never read as HTML.
      var popup = document.createElement("div");
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.name;
      link.lang = point.lang;
      link.dir = "auto"; // an Arabic or Urdu name reads right to left, an Italian one left to right
      var address = document.createElement("div");
      address.className = "small";
      address.textContent = point.address;
      popup.appendChild(link);
      popup.appendChild(address);
      L.marker([point.lat, point.lon], { title: point.name, alt: point.name }).addTo(map).bindPopup(popup);
      bounds.push([point.lat, point.lon]);
    });
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
    return map;
  }

  function start() {
    var details = document.querySelector("details.guide-map");
    var data = document.getElementById("guide-map-points");
    if (!details || !data || typeof window.L === "undefined") { return; }
    var points = JSON.parse(data.textContent);
    if (!points.length) { return; }
    details.hidden = false;
    var map = null;
    details.addEventListener("toggle", function () {
      if (!details.open) { return; }
      if (map === null) { map = build(details, points); } else { map.invalidateSize(); }
    });
    if (details.open) { map = build(details, points); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
