/* The portal's place picker: the resident taps the map of the district's streets (the outlines the dashboard
   draws, from /api/portal/streets), searches a name, or uses the phone's location; the street and community
   found are shown in words and set in the form's selects, where the resident may correct them. The point goes
   into the form's hidden lat/lon. Without this script the selects and the address field still work. */
(function () {
  "use strict";
  var root = document.getElementById("place-picker");
  if (!root || !window.L || !window.fetch) { return; }
  var form = root.closest("form");
  var streetSelect = form.elements.street, communitySelect = form.elements.community;
  var latInput = form.elements.lat, lonInput = form.elements.lon;
  var chosen = document.getElementById("place-chosen");
  var tiles = root.dataset.tiles;
  root.classList.add("place--ready");

  var map = L.map("place-map", { zoomSnap: 0.25, attributionControl: Boolean(tiles) });
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: root.dataset.tilesAttribution || "" }).addTo(map);
  }
  map.setView([23.09, 113.31], 12);
  var marker = null;
  var outlines = {};  // street name -> its layer, to frame a searched street
  var byArea = {};  // directory street id -> its layer, to mark the chosen street
  var STYLE = { color: "#b91c1c", weight: 1.2, fillColor: "#b91c1c", fillOpacity: tiles ? 0.06 : 0.12 };
  var CHOSEN = { color: "#7f1d1d", weight: 2.5, fillColor: "#b91c1c", fillOpacity: tiles ? 0.2 : 0.35 };

  function say(text, warn) {
    chosen.textContent = text;
    chosen.classList.toggle("place-chosen--warn", Boolean(warn));
  }
  function optionText(select) {
    var option = select.options[select.selectedIndex];
    return option && option.value ? option.text : "";
  }
  // Only the chosen street's communities are offered.
  function filterCommunities() {
    var street = streetSelect.value;
    Array.prototype.forEach.call(communitySelect.options, function (option) {
      var hide = Boolean(option.value && street && option.dataset.street !== street);
      option.hidden = hide;
      option.disabled = hide;
    });
    var current = communitySelect.options[communitySelect.selectedIndex];
    if (current && current.disabled) { communitySelect.value = ""; }
  }
  function markStreet() {
    Object.keys(byArea).forEach(function (id) { byArea[id].setStyle(id === streetSelect.value ? CHOSEN : STYLE); });
  }
  function setArea(street, community) {
    streetSelect.value = street ? String(street.id) : "";
    filterCommunities();
    communitySelect.value = community ? String(community.id) : "";
    markStreet();
  }
  function words() {
    var street = optionText(streetSelect), community = optionText(communitySelect);
    return street ? street + (community ? " · " + community : "") : "";
  }
  function putMarker(lat, lon) {
    if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon], { keyboard: false }).addTo(map); }
  }
  function setPoint(lat, lon) {
    latInput.value = lat === null ? "" : lat.toFixed(6);
    lonInput.value = lon === null ? "" : lon.toFixed(6);
  }

  function locate(lon, lat, datum) {
    say("正在识别所在街道…");
    var url = root.dataset.locateUrl + "?lon=" + lon + "&lat=" + lat + "&datum=" + datum;
    return fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (place) {
        putMarker(place.lat, place.lon);
        if (!place.street) {
          setPoint(null, null);
          say("该位置不在本区街道范围内，请重新选择", true);
          return;
        }
        setPoint(place.lat, place.lon);
        setArea(place.street, place.community);
        say("已选择：" + words() + (place.community ? "（社区为最近的社区，可更正）" : ""));
      })
      .catch(function () { say("暂时无法识别该位置，请直接选择街道", true); });
  }
  map.on("click", function (event) { locate(event.latlng.lng, event.latlng.lat, "gcj02"); });

  fetch(root.dataset.streetsUrl, { headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (shapes) {
      var layer = L.geoJSON(shapes, {
        style: function () { return STYLE; },
        onEachFeature: function (feature, part) {
          outlines[feature.properties.name] = part;
          if (feature.properties.area_id) { byArea[String(feature.properties.area_id)] = part; }
          part.bindTooltip(feature.properties.name, { sticky: true, direction: "top" });
        },
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [4, 4] });
      root.dataset.ready = "1";
      if (latInput.value && lonInput.value) {  // the form came back with an error: show the point chosen
        putMarker(Number(latInput.value), Number(lonInput.value));
      }
      if (words()) { say("已选择：" + words()); }
      markStreet();
    })
    .catch(function () { say("地图暂时无法加载，请直接选择街道", true); });

  // Search by name: streets, communities, roads, landmarks.
  var query = document.getElementById("place-q"), results = document.getElementById("place-results");
  var pending = null;
  function choosePlace(place) {
    results.innerHTML = "";
    query.value = place.name;
    if (place.street) {
      setArea(place.street, place.community);
      say("已选择：" + words() + "（可在地图上点选具体位置）");
    } else {
      say(place.name + "跨越" + place.streets.join("、") + "，请在地图上点选具体位置");
    }
    if (place.lat !== null && place.street && place.kind === "community") {
      map.setView([place.lat, place.lon], 15);
    } else {
      var frame = null;
      place.streets.forEach(function (name) {
        if (outlines[name]) { frame = frame ? frame.extend(outlines[name].getBounds()) : L.latLngBounds(outlines[name].getBounds()); }
      });
      if (frame) { map.fitBounds(frame); } else if (place.lat !== null) { map.setView([place.lat, place.lon], 15); }
    }
  }
  function showResults(list) {
    results.innerHTML = "";
    if (!list.length) {
      var none = document.createElement("li");
      none.className = "hint";
      none.textContent = "没有找到该地名";
      results.appendChild(none);
      return;
    }
    list.forEach(function (place) {
      var item = document.createElement("li"), button = document.createElement("button"), note = document.createElement("span");
      button.type = "button";
      button.textContent = place.name + " ";
      note.className = "muted";
      note.textContent = place.kind_label + (place.streets.length ? " · " + place.streets.join("、") : "");
      button.appendChild(note);
      button.addEventListener("click", function () { choosePlace(place); });
      item.appendChild(button);
      results.appendChild(item);
    });
  }
  query.addEventListener("input", function () {
    window.clearTimeout(pending);
    var q = query.value.trim();
    if (!q) { results.innerHTML = ""; return; }
    pending = window.setTimeout(function () {
      fetch(root.dataset.placesUrl + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (list) { if (query.value.trim() === q) { showResults(list); } })
        .catch(function () { results.innerHTML = ""; });
    }, 250);
  });
  query.addEventListener("keydown", function (event) {  // Enter picks the first result instead of submitting
    if (event.key === "Enter") {
      event.preventDefault();
      var first = results.querySelector("button");
      if (first) { first.click(); }
    }
  });

  // The phone's own location (WGS-84; the server converts it to the map's datum).
  var here = document.getElementById("place-here");
  if (!navigator.geolocation) {
    here.hidden = true;
  } else {
    here.addEventListener("click", function () {
      say("正在获取您的位置…");
      navigator.geolocation.getCurrentPosition(function (position) {
        locate(position.coords.longitude, position.coords.latitude, "wgs84").then(function () {
          if (marker) { map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15)); }
        });
      }, function () {
        say("无法获取您的位置，请在地图上点选或搜索地名", true);
      }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  // A correction by hand: the words follow the selects.
  streetSelect.addEventListener("change", function () {
    filterCommunities();
    markStreet();
    say(words() ? "已更正为：" + words() : "尚未选择街道");
  });
  communitySelect.addEventListener("change", function () {
    var option = communitySelect.options[communitySelect.selectedIndex];
    if (option && option.value && !streetSelect.value) { streetSelect.value = option.dataset.street; markStreet(); }
    say(words() ? "已更正为：" + words() : "尚未选择街道");
  });
  filterCommunities();
  // For scripts that drive the page (the browser tests): the map, to turn a place into a point on screen.
  window.YouhuPlacePicker = { map: map };
})();
