// 随手拍 / 民情日志: record where the phone is, when it allows (no map tiles, text only).
(function () {
  var field = document.querySelector("input[name=location]");
  if (!field || !navigator.geolocation) return;
  var status = document.getElementById("location-status");
  navigator.geolocation.getCurrentPosition(function (pos) {
    field.value = pos.coords.latitude.toFixed(5) + "," + pos.coords.longitude.toFixed(5);
    if (status) status.textContent = status.dataset.located + " " + field.value;
  }, function () {}, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
})();
